// A small, safe markdown renderer. It builds DOM nodes and sets text with text nodes only:
// raw HTML in the source is shown as text, links keep only http(s) and mailto URLs, and
// images become links (so a task cannot make the worker's browser fetch a tracking pixel).

import { codeBlock } from "./highlight.js";

const FENCE = /^\s{0,3}(```+|~~~+)\s*([\w#+.-]*)\s*$/;
const HEADING = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const RULE = /^\s{0,3}([-*_])(\s*\1){2,}\s*$/;
const QUOTE = /^\s{0,3}>\s?/;
const ITEM = /^(\s*)([-*+]|\d{1,9}[.)])\s+(.*)$/;
const TABLE_SEP = /^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$/;
const SAFE_URL = /^(https?:\/\/|mailto:)/i;

function el(tag, text) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  return node;
}

function isBlockStart(line) {
  return FENCE.test(line) || HEADING.test(line) || RULE.test(line) || QUOTE.test(line) || ITEM.test(line);
}

// Inline markup: code, bold, italics, strike-through, links, autolinks, escapes, hard breaks.
const INLINE = [
  { re: /^\\([\\`*_{}[\]()#+\-.!|~<>])/, make: (m) => document.createTextNode(m[1]) },
  { re: /^(`+)([\s\S]+?)\1/, make: (m) => el("code", m[2].trim() || m[2]) },
  { re: /^(\*\*|__)(?=\S)([\s\S]+?\S)\1/, make: (m) => wrap("strong", m[2]) },
  { re: /^~~(?=\S)([\s\S]+?\S)~~/, make: (m) => wrap("del", m[1]) },
  { re: /^(\*|_)(?=\S)([\s\S]+?\S)\1(?![\w*])/, make: (m) => wrap("em", m[2]) },
  { re: /^!\[([^\]]*)\]\(\s*<?([^\s)>]+)>?(?:\s+"[^"]*")?\s*\)/, make: (m) => link(m[2], "Image: " + (m[1] || m[2])) },
  { re: /^\[([^\]]+)\]\(\s*<?([^\s)>]+)>?(?:\s+"[^"]*")?\s*\)/, make: (m) => link(m[2], null, m[1]) },
  { re: /^<((?:https?:\/\/|mailto:)[^\s<>]+)>/, make: (m) => link(m[1], m[1]) },
  { re: /^https?:\/\/[^\s<]*[^\s<.,;:!?)\]'"]/, make: (m) => link(m[0], m[0]) },
  { re: /^ {2,}\n/, make: () => el("br") },
];

function wrap(tag, text) {
  const node = el(tag);
  node.append(inline(text));
  return node;
}

function link(url, text, markdownText) {
  if (!SAFE_URL.test(url)) {
    const span = el("span");
    span.append(markdownText !== undefined ? inline(markdownText) : document.createTextNode(text));
    return span;
  }
  const a = el("a");
  a.href = url;
  a.rel = "noopener noreferrer nofollow ugc";
  a.target = "_blank";
  if (markdownText !== undefined) a.append(inline(markdownText));
  else a.textContent = text;
  return a;
}

export function inline(text) {
  const fragment = document.createDocumentFragment();
  let plain = "";
  let rest = text;
  const flush = () => {
    if (plain) fragment.append(document.createTextNode(plain));
    plain = "";
  };
  while (rest.length) {
    let matched = false;
    // Only try markup where it can start; everything else is copied as text.
    const intraword = rest[0] === "_" && /\w$/.test(plain);
    if (!intraword && /^[\\`*_~![<h ]/.test(rest)) {
      for (const rule of INLINE) {
        const m = rule.re.exec(rest);
        if (m) {
          flush();
          fragment.append(rule.make(m));
          rest = rest.slice(m[0].length);
          matched = true;
          break;
        }
      }
    }
    if (!matched) {
      plain += rest[0];
      rest = rest.slice(1);
    }
  }
  flush();
  return fragment;
}

function splitRow(line) {
  let row = line.trim();
  if (row.startsWith("|")) row = row.slice(1);
  if (row.endsWith("|")) row = row.slice(0, -1);
  return row.split("|").map((cell) => cell.trim());
}

function table(lines) {
  const node = el("table");
  const head = el("thead");
  const headRow = el("tr");
  for (const cell of splitRow(lines[0])) {
    const th = el("th");
    th.append(inline(cell));
    headRow.append(th);
  }
  head.append(headRow);
  node.append(head);
  const body = el("tbody");
  for (const line of lines.slice(2)) {
    const tr = el("tr");
    for (const cell of splitRow(line)) {
      const td = el("td");
      td.append(inline(cell));
      tr.append(td);
    }
    body.append(tr);
  }
  node.append(body);
  return node;
}

function list(lines, start) {
  const first = ITEM.exec(lines[start]);
  const indent = first[1].length;
  const ordered = /\d/.test(first[2]);
  const node = el(ordered ? "ol" : "ul");
  if (ordered && parseInt(first[2], 10) !== 1) node.start = parseInt(first[2], 10);
  let i = start;
  while (i < lines.length) {
    const m = ITEM.exec(lines[i]);
    if (!m || m[1].length !== indent || /\d/.test(m[2]) !== ordered) break;
    const body = [m[3]];
    i += 1;
    while (i < lines.length) {
      const line = lines[i];
      const next = ITEM.exec(line);
      if (next && next[1].length <= indent) break;
      if (!line.trim()) {
        const after = lines[i + 1];
        if (after === undefined || !(/^\s+/.test(after) && after.search(/\S/) > indent)) break;
      } else if (!/^\s/.test(line) && isBlockStart(line)) break;
      body.push(line.slice(Math.min(indent + 2, line.search(/\S|$/))));
      i += 1;
    }
    const li = el("li");
    const nested = body.slice(1).some((line) => isBlockStart(line) || !line.trim());
    if (nested) li.append(render(body));
    else li.append(inline(body.join("\n")));
    node.append(li);
  }
  return { node, next: i };
}

function render(lines) {
  const fragment = document.createDocumentFragment();
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (!line.trim()) {
      i += 1;
      continue;
    }
    const fence = FENCE.exec(line);
    if (fence) {
      const code = [];
      i += 1;
      while (i < lines.length && !lines[i].trim().startsWith(fence[1])) code.push(lines[i++]);
      i += 1;
      fragment.append(codeBlock(code.join("\n"), fence[2]));
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      const level = Math.min(6, heading[1].length + 2);
      const node = el("h" + level);
      node.append(inline(heading[2]));
      fragment.append(node);
      i += 1;
      continue;
    }
    if (RULE.test(line)) {
      fragment.append(el("hr"));
      i += 1;
      continue;
    }
    if (QUOTE.test(line)) {
      const quoted = [];
      while (i < lines.length && lines[i].trim() && QUOTE.test(lines[i])) quoted.push(lines[i++].replace(QUOTE, ""));
      const node = el("blockquote");
      node.append(render(quoted));
      fragment.append(node);
      continue;
    }
    if (ITEM.test(line)) {
      const { node, next } = list(lines, i);
      fragment.append(node);
      i = next;
      continue;
    }
    if (line.includes("|") && i + 1 < lines.length && TABLE_SEP.test(lines[i + 1]) && lines[i + 1].includes("-")) {
      const rows = [];
      while (i < lines.length && lines[i].includes("|") && lines[i].trim()) rows.push(lines[i++]);
      fragment.append(table(rows));
      continue;
    }
    const paragraph = [];
    while (i < lines.length && lines[i].trim() && (paragraph.length === 0 || !isBlockStart(lines[i]))) {
      paragraph.push(lines[i++]);
    }
    const p = el("p");
    p.append(inline(paragraph.join("\n")));
    fragment.append(p);
  }
  return fragment;
}

// Markdown source -> a DocumentFragment of safe DOM nodes.
export function renderMarkdown(source) {
  const text = String(source ?? "").replace(/\r\n?/g, "\n");
  return render(text.split("\n"));
}

// Replace the text of every element marked data-markdown by its rendering.
export function renderMarkdownIn(root) {
  for (const node of root.querySelectorAll("[data-markdown]")) {
    const source = node.textContent;
    node.textContent = "";
    node.append(renderMarkdown(source));
    node.removeAttribute("data-markdown");
    node.classList.add("md");
  }
}
