// A tiny code highlighter: keywords, strings, comments, numbers and calls become spans.
// It tokenises with one regular expression per language and only ever creates text nodes.

const C_LIKE = "break case continue default do else for goto if return switch while";
const KEYWORDS = {
  python: "and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield match case",
  javascript: "async await break case catch class const continue debugger default delete do else export extends finally for function if import in instanceof let new of return static super switch this throw try typeof var void while with yield",
  typescript: "abstract as async await break case catch class const continue declare default delete do else enum export extends finally for function if implements import in instanceof interface let namespace new of private protected public readonly return static super switch this throw try type typeof var void while yield",
  go: "break case chan const continue default defer else fallthrough for func go goto if import interface map package range return select struct switch type var",
  rust: "as async await break const continue crate dyn else enum extern fn for if impl in let loop match mod move mut pub ref return self Self static struct super trait type unsafe use where while",
  java: "abstract assert boolean break byte case catch char class const continue default do double else enum extends final finally float for if implements import instanceof int interface long new package private protected public return short static super switch synchronized this throw throws try void volatile while var record",
  c: `${C_LIKE} auto char const double enum extern float inline int long register restrict short signed sizeof static struct typedef union unsigned void volatile`,
  cpp: `${C_LIKE} auto bool catch char class const constexpr delete double enum explicit extern float friend inline int long namespace new noexcept operator private protected public return short signed sizeof static struct template this throw try typedef typename union unsigned using virtual void`,
  csharp: "abstract as async await base bool break byte case catch char class const continue decimal default delegate do double else enum event explicit extern finally fixed float for foreach if implicit in int interface internal is lock long namespace new object operator out override params private protected public readonly ref return sealed short static string struct switch this throw try typeof uint ulong using var virtual void while",
  ruby: "alias and begin break case class def defined do else elsif end ensure for if in module next not or redo rescue retry return self super then undef unless until when while yield",
  php: "abstract and array as break case catch class clone const continue declare default do echo else elseif empty extends final finally fn for foreach function global if implements include interface isset list namespace new or print private protected public require return static switch throw trait try unset use var while",
  sql: "select from where and or not insert into values update set delete create table index view drop alter add join left right inner outer full on group by order having limit offset as distinct union all case when then else end is in exists between like primary key foreign references with returning",
  bash: "if then else elif fi for while until do done case esac function in return local export readonly set unset echo exit",
  swift: "as break case catch class continue default defer do else enum extension fallthrough for func guard if import in init inout internal is let operator private protocol public repeat return self static struct subscript super switch throw throws try var where while",
  kotlin: "as break class continue do else false for fun if in interface is null object package return super this throw true try typealias val var when while",
};
const ALIASES = { py: "python", js: "javascript", jsx: "javascript", ts: "typescript", tsx: "typescript", golang: "go", rs: "rust", "c++": "cpp", cc: "cpp", h: "c", hpp: "cpp", cs: "csharp", "c#": "csharp", rb: "ruby", sh: "bash", shell: "bash", zsh: "bash", postgres: "sql", postgresql: "sql", mysql: "sql", sqlite: "sql", kt: "kotlin" };
const LITERALS = new Set("true false null None True False nil undefined NULL nullptr".split(" "));
const HASH_COMMENTS = new Set(["python", "ruby", "bash", "yaml", "r", "toml", "perl", "php"]);
const DASH_COMMENTS = new Set(["sql", "lua", "haskell"]);
const NO_C_COMMENTS = new Set(["python", "ruby", "bash", "yaml", "toml", "r", "lua", "haskell"]);
const CASE_INSENSITIVE = new Set(["sql"]);

function languageOf(name) {
  const lower = String(name || "").toLowerCase();
  return ALIASES[lower] || lower;
}

function tokenPattern(lang) {
  const comments = [];
  if (!NO_C_COMMENTS.has(lang)) comments.push("\\/\\/[^\\n]*", "\\/\\*[\\s\\S]*?(?:\\*\\/|$)");
  if (HASH_COMMENTS.has(lang)) comments.push("#[^\\n]*");
  if (DASH_COMMENTS.has(lang)) comments.push("--[^\\n]*");
  const strings = [
    '"""[\\s\\S]*?(?:"""|$)',
    "'''[\\s\\S]*?(?:'''|$)",
    '"(?:[^"\\\\\\n]|\\\\.)*"?',
    "'(?:[^'\\\\\\n]|\\\\.)*'?",
    "`(?:[^`\\\\]|\\\\.)*`?",
  ];
  const parts = [];
  if (comments.length) parts.push(`(?<com>${comments.join("|")})`);
  parts.push(`(?<str>${strings.join("|")})`);
  parts.push("(?<num>\\b(?:0[xX][0-9a-fA-F_]+|\\d[\\d_]*(?:\\.\\d[\\d_]*)?(?:[eE][+-]?\\d+)?)\\b)");
  parts.push("(?<word>[A-Za-z_$][\\w$]*)");
  return new RegExp(parts.join("|"), "g");
}

function span(kind, text) {
  const el = document.createElement("span");
  el.className = "tok-" + kind;
  el.textContent = text;
  return el;
}

// Returns a DocumentFragment of the highlighted code.
export function highlight(code, language) {
  const fragment = document.createDocumentFragment();
  const lang = languageOf(language);
  const keywordList = KEYWORDS[lang];
  if (!keywordList && !["json", "yaml", "toml"].includes(lang)) {
    fragment.append(document.createTextNode(code));
    return fragment;
  }
  const insensitive = CASE_INSENSITIVE.has(lang);
  const keywords = new Set((keywordList || "").split(" ").filter(Boolean));
  const pattern = tokenPattern(lang);
  let last = 0;
  for (const match of code.matchAll(pattern)) {
    if (match.index > last) fragment.append(document.createTextNode(code.slice(last, match.index)));
    const text = match[0];
    const groups = match.groups;
    if (groups.com) fragment.append(span("com", text));
    else if (groups.str) fragment.append(span("str", text));
    else if (groups.num) fragment.append(span("num", text));
    else if (keywords.has(insensitive ? text.toLowerCase() : text)) fragment.append(span("kw", text));
    else if (LITERALS.has(text)) fragment.append(span("lit", text));
    else if (code[match.index + text.length] === "(") fragment.append(span("fn", text));
    else fragment.append(document.createTextNode(text));
    last = match.index + text.length;
  }
  if (last < code.length) fragment.append(document.createTextNode(code.slice(last)));
  return fragment;
}

export function codeBlock(code, language) {
  const pre = document.createElement("pre");
  pre.className = "code";
  const lang = languageOf(language);
  if (lang && lang !== "plaintext" && lang !== "text") pre.dataset.lang = lang;
  const el = document.createElement("code");
  el.append(highlight(code, lang));
  pre.append(el);
  return pre;
}
