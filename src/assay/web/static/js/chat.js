// The live chat page: write a turn, see two anonymous candidate replies side by side, pick one
// (1/2 or A/B) or rewrite it, say how much better and why, and carry on, without reloads.
// Every text from the server reaches the page as text nodes or safe markdown nodes.

import { enhancePage } from "./common.js";
import { errorMessage, h, isTyping, kbd, postJSON, readJSON, toast } from "./dom.js";
import { renderMarkdown } from "./markdown.js";

const data = readJSON("page-data");
const urls = data.urls;
const strengthLabels = data.strength_labels;
const log = document.getElementById("chat-log");
const empty = document.getElementById("chat-empty");
const panel = document.getElementById("pick-panel");
const errorBox = document.getElementById("chat-error");
const composer = document.getElementById("composer");
const composerText = document.getElementById("composer-text");
const composerHint = document.getElementById("composer-hint");
const sendButton = document.getElementById("send-button");
const finishButton = document.getElementById("finish-button");
const finishDialog = document.getElementById("finish-dialog");
const helpDialog = document.getElementById("help-dialog");
const finishedNote = document.getElementById("finished-note");
const statusPill = document.getElementById("chat-status");

enhancePage();
let state = data.state;
let busy = false;
// The pick being prepared: which candidate is selected, how much better, why, a rewrite.
let pick = freshPick();

function freshPick(candidates = []) {
  return { key: candidates.map((c) => c.id).join(","), cursor: 0, strength: null, reason: "", rewriting: null, draft: "" };
}

function markdown(text) {
  const node = h("div", { class: "md" });
  node.append(renderMarkdown(text));
  return node;
}

function message(node, { pending = false } = {}) {
  const mine = node.role === "user";
  const label = mine ? "You" : "Assistant";
  const tag = node.rewritten ? h("span", { class: "pill" }, "your rewrite") : null;
  return h(
    "div",
    { class: `msg role-${mine ? "user" : "assistant"}${pending ? " pending" : ""}`, dataset: { node: node.id } },
    h("span", { class: "role" }, label, tag ? " " : "", tag),
    markdown(node.content),
  );
}

// The last error; a failed model call is explained inside the "try again" panel instead.
let errorText = "";

function showError(text) {
  errorText = text || "";
  renderError();
}

function renderError() {
  errorBox.hidden = !errorText || failed();
  errorBox.textContent = errorText;
}

function isOpen() {
  return state.conversation.status === "open";
}

function failed() {
  return isOpen() && state.waiting !== null && state.candidates.length === 0;
}

function choosing() {
  return isOpen() && state.waiting !== null && state.candidates.length > 0;
}

function renderLog() {
  const nodes = state.path.map((node) => message(node));
  if (state.waiting) nodes.push(message(state.waiting, { pending: true }));
  log.replaceChildren(...nodes);
  empty.hidden = nodes.length > 0;
}

function strengthRow() {
  const buttons = strengthLabels.map((label, i) => {
    const button = h("button", { type: "button", class: "choice", role: "radio", "aria-checked": String(pick.strength === i + 1) }, label);
    button.addEventListener("click", () => setStrength(pick.strength === i + 1 ? null : i + 1));
    return button;
  });
  return h(
    "div",
    { class: "pick-detail" },
    h("span", { class: "detail-name" }, "How much better? ", kbd("S")),
    h("div", { class: "pair-choices", role: "radiogroup", "aria-label": "How much better the pick is" }, buttons),
    h("span", { class: "muted small" }, "optional"),
  );
}

function reasonRow() {
  const box = h("textarea", { id: "pick-reason", rows: 2, maxlength: 10000, placeholder: "Why is it better? (optional)", "aria-label": "Why the pick is better" });
  box.value = pick.reason;
  box.addEventListener("input", () => { pick.reason = box.value; });
  return h("label", { class: "pick-detail reason-box" }, h("span", { class: "detail-name" }, "Why ", kbd("R")), box);
}

function candidateCard(candidate, index) {
  const keys = [String(index + 1), candidate.label];
  const pickButton = h("button", { type: "button", class: "primary", dataset: { pick: candidate.label } }, `Pick ${candidate.label} `, kbd(keys[0]));
  const rewriteButton = h("button", { type: "button", dataset: { rewrite: candidate.label } }, "Rewrite", index === pick.cursor ? [" ", kbd("E")] : null);
  pickButton.addEventListener("click", () => choose(index));
  rewriteButton.addEventListener("click", () => startRewrite(index));
  const card = h(
    "article",
    { class: `response-card candidate${index === pick.cursor ? " selected" : ""}`, dataset: { candidate: candidate.label }, "aria-label": `Reply ${candidate.label}` },
    h("header", {}, h("span", {}, `Reply ${candidate.label}`), h("span", { class: "keys" }, kbd(keys[0]), " ", kbd(keys[1]))),
    h("div", { class: "body" }, markdown(candidate.content)),
    h("footer", { class: "candidate-actions" }, rewriteButton, pickButton),
  );
  card.addEventListener("click", (event) => {
    if (event.target.closest("button")) return;
    pick.cursor = index;
    renderPanel();
  });
  return card;
}

function rewriteBox() {
  const candidate = state.candidates[pick.rewriting];
  const box = h("textarea", { id: "rewrite-text", class: "rewrite-text", rows: 8, maxlength: 20000, "aria-label": `Your rewrite of reply ${candidate.label}` });
  box.value = pick.draft;
  box.addEventListener("input", () => { pick.draft = box.value; });
  const cancel = h("button", { type: "button", id: "rewrite-cancel" }, "Cancel ", kbd("Esc"));
  const use = h("button", { type: "button", class: "primary", id: "rewrite-use" }, "Use my rewrite ", kbd("Ctrl"), "+", kbd("Enter"));
  cancel.addEventListener("click", stopRewrite);
  use.addEventListener("click", submitRewrite);
  return h(
    "div",
    { class: "rewrite-box", id: "rewrite-box" },
    h("p", { class: "prompt" }, `Rewriting reply ${candidate.label}`),
    h("p", { class: "muted small" }, "Fix what is wrong and keep what is right: your version becomes the reply the conversation continues from."),
    box,
    h("div", { class: "actions" }, cancel, use),
  );
}

function choicePanel() {
  const grid = h("div", { class: "responses" }, state.candidates.map(candidateCard));
  const children = [
    h("header", {}, h("span", { class: "qnum", "aria-hidden": "true" }, "?"), h("p", { class: "prompt", id: "pick-title" }, "Which reply should the conversation continue with?")),
    grid,
  ];
  if (pick.rewriting !== null) children.push(rewriteBox());
  children.push(strengthRow(), reasonRow());
  children.push(h("p", { class: "hint" }, kbd("1"), " ", kbd("A"), " pick A · ", kbd("2"), " ", kbd("B"), " pick B · ", kbd("←"), " ", kbd("→"), " select, ", kbd("E"), " rewrite · ", kbd("S"), " how much better · ", kbd("R"), " why"));
  return children;
}

function failurePanel() {
  const retry = h("button", { type: "button", class: "primary", id: "retry-button" }, "Try again ", kbd("T"));
  retry.addEventListener("click", regenerate);
  return [
    h("header", {}, h("p", { class: "prompt", id: "pick-title" }, "No replies yet")),
    h("p", { class: errorText ? "error" : "muted", role: errorText ? "alert" : null }, errorText || "The models have not answered your last message. It is saved: ask both models again."),
    h("div", { class: "actions" }, retry),
  ];
}

function thinkingPanel() {
  return [
    h("header", {}, h("p", { class: "prompt", id: "pick-title" }, "Asking two models…")),
    h("div", { class: "responses" }, ["A", "B"].map((label) => h("article", { class: "response-card thinking" }, h("header", {}, h("span", {}, `Reply ${label}`)), h("div", { class: "body" }, h("span", { class: "dots", "aria-hidden": "true" }), h("span", { class: "muted" }, "writing…"))))),
  ];
}

function renderPanel() {
  let children = null;
  if (busy === "asking") children = thinkingPanel();
  else if (choosing()) children = choicePanel();
  else if (failed()) children = failurePanel();
  panel.hidden = children === null;
  panel.classList.toggle("current", choosing());
  panel.replaceChildren(...(children || []));
  if (pick.rewriting !== null) {
    const box = document.getElementById("rewrite-text");
    if (document.activeElement !== box) box.focus();
  }
}

function renderComposer() {
  const open = isOpen();
  composer.hidden = !open;
  finishButton.hidden = !open;
  finishedNote.hidden = open;
  statusPill.textContent = state.conversation.status;
  statusPill.classList.toggle("muted", !open);
  const blocked = state.waiting !== null || Boolean(busy);
  composerText.disabled = blocked;
  sendButton.disabled = blocked;
  composerHint.textContent = failed()
    ? "Ask the models again (Try again) before your next message."
    : blocked
    ? "Pick or rewrite a reply to your last message first."
    : state.path.length ? "The conversation continues from the reply you chose." : "Two models will each answer; you pick the better reply.";
}

function render() {
  const key = state.candidates.map((c) => c.id).join(",");
  if (key !== pick.key) pick = freshPick(state.candidates);
  renderLog();
  renderPanel();
  renderComposer();
  renderError();
}

// POST to a chat endpoint; the answer carries the conversation's new state (also on a failed
// model call). While waiting, ``shown`` is the state on screen (e.g. the turn just sent).
async function call(url, body, mode, shown = state) {
  if (busy) return false;
  const before = state;
  busy = mode;
  state = shown;
  errorText = "";
  render();
  const result = await postJSON(url, body);
  busy = false;
  state = result.data?.state || (result.ok ? state : before);
  errorText = result.ok ? "" : errorMessage(result);
  render();
  return result.ok;
}

async function send() {
  const text = composerText.value.trim();
  if (busy || state.waiting || !isOpen()) return;
  if (!text) {
    showError("Write a message before sending it.");
    return;
  }
  // Show the turn at once while the models think.
  const shown = { ...state, waiting: { id: "", role: "user", content: text, rewritten: false } };
  await call(urls.turns, { content: text }, "asking", shown);
  // Once stored (even if a model then failed), the turn is on screen: clear the box.
  if (state.waiting?.content === text) composerText.value = "";
  if (choosing() || failed()) panel.focus();
  else if (isOpen()) composerText.focus();
}

async function regenerate() {
  if (!failed()) return;
  const ok = await call(`${urls.turns}/${encodeURIComponent(state.waiting.id)}/candidates`, {}, "asking");
  if (ok) panel.focus();
}

function choiceBody(index, rewrite = null) {
  const body = { candidate_id: state.candidates[index].id, reason: pick.reason.trim() };
  if (pick.strength !== null) body.strength = pick.strength;
  if (rewrite !== null) body.rewrite = rewrite;
  return body;
}

async function choose(index) {
  if (!choosing() || busy || index >= state.candidates.length) return;
  const label = state.candidates[index].label;
  if (await call(urls.choose, choiceBody(index), "choosing")) {
    toast(`Reply ${label} picked`);
    composerText.focus();
  }
}

function startRewrite(index) {
  if (!choosing() || busy) return;
  pick.cursor = index;
  pick.rewriting = index;
  pick.draft = state.candidates[index].content;
  renderPanel();
}

function stopRewrite() {
  pick.rewriting = null;
  renderPanel();
  panel.focus();
}

async function submitRewrite() {
  if (pick.rewriting === null || busy) return;
  const text = pick.draft.trim();
  if (!text) {
    showError("The rewrite is empty: write the reply you want, or pick one as it is.");
    return;
  }
  if (await call(urls.choose, choiceBody(pick.rewriting, text), "choosing")) {
    toast("Your rewrite is the reply");
    composerText.focus();
  }
}

function setStrength(value) {
  pick.strength = value;
  renderPanel();
}

function cycleStrength() {
  const next = pick.strength === null ? 1 : pick.strength + 1;
  setStrength(next > strengthLabels.length ? null : next);
}

async function finish() {
  finishDialog.close();
  if (await call(urls.finish, {}, "finishing")) toast("Conversation finished");
}

function openFinish() {
  if (!isOpen() || busy) return;
  finishDialog.showModal();
  document.getElementById("finish-confirm").focus();
}

function choosingKey(event, key) {
  if (key === "1" || key === "a") choose(0);
  else if (key === "2" || key === "b") choose(1);
  else if (event.key === "ArrowLeft" || event.key === "ArrowRight") {
    pick.cursor = event.key === "ArrowLeft" ? 0 : state.candidates.length - 1;
    renderPanel();
  } else if (key === "e") startRewrite(pick.cursor);
  else if (key === "s") cycleStrength();
  else if (key === "r") document.getElementById("pick-reason")?.focus();
  else return false;
  return true;
}

function onKey(event) {
  if (finishDialog.open || helpDialog.open) return;
  const mod = event.ctrlKey || event.metaKey;
  if (mod && event.key === "Enter") {
    event.preventDefault();
    if (pick.rewriting !== null) submitRewrite();
    else if (event.target === composerText) send();
    return;
  }
  if (event.key === "Escape") {
    if (pick.rewriting !== null) stopRewrite();
    else if (isTyping(event.target)) event.target.blur();
    return;
  }
  if (isTyping(event.target) || mod || event.altKey || busy) return;
  const key = event.key.toLowerCase();
  let handled = true;
  if (event.key === "?") helpDialog.showModal();
  else if (choosing() && pick.rewriting === null && choosingKey(event, key)) handled = true;
  else if (key === "t" && failed()) regenerate();
  else if (key === "c" && !composerText.disabled && isOpen()) composerText.focus();
  else if (key === "f" && isOpen()) openFinish();
  else handled = false;
  if (handled) event.preventDefault();
}

composer.addEventListener("submit", (event) => {
  event.preventDefault();
  send();
});
finishButton.addEventListener("click", openFinish);
document.getElementById("finish-form").addEventListener("submit", (event) => {
  event.preventDefault();
  finish();
});
document.getElementById("finish-cancel").addEventListener("click", () => finishDialog.close());
document.getElementById("help-button").addEventListener("click", () => helpDialog.showModal());
document.addEventListener("keydown", onKey);

render();
if (choosing()) panel.focus();
else if (isOpen() && !state.waiting) composerText.focus();
// For people debugging in the console (and for browser tests).
window.assayChat = { get state() { return state; } };
