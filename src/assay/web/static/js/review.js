// The review page: the response shown as its author answered, accept / reject with a reason /
// edit, and rubric grading, all from the keyboard.

import { enhancePage } from "./common.js";
import { errorMessage, isTyping, postJSON, readJSON, toast } from "./dom.js";
import { buildForm } from "./form.js";
import { rubricWidget } from "./widgets/choice.js";

const data = readJSON("page-data");
const root = document.getElementById("task-root");
const errorsBox = document.getElementById("form-errors");
const acceptButton = document.getElementById("accept-button");
const rejectButton = document.getElementById("reject-button");
const editButton = document.getElementById("edit-button");
const reasonBox = document.getElementById("reject-reason");
const helpDialog = document.getElementById("help-dialog");

enhancePage();
const form = buildForm(root, data, { noAdvance: true });
form.setAnswer(data.answer);
form.setReadOnly(true);
let editing = false;
let busy = false;

// Reviewers grade with the project's rubric (the template's rubric question), if it has one.
let grader = null;
const rubricQuestion = data.template.questions.find((q) => q.type === "rubric");
const rubricBox = document.getElementById("review-rubric");
if (rubricQuestion && rubricBox) {
  const ctx = { root: rubricBox, template: data.template, payload: data.payload, fieldsByName: new Map(), changed: () => {}, advance: () => {}, focus: () => {} };
  grader = rubricWidget({ ...rubricQuestion, prompt: "Your grade with the project’s rubric", required: false }, 0, ctx);
  rubricBox.append(grader.el);
  rubricBox.hidden = false;
}

function showErrors(messages) {
  errorsBox.hidden = !messages.length;
  errorsBox.replaceChildren(...messages.map((m) => Object.assign(document.createElement("div"), { textContent: m })));
}

function toggleEdit() {
  editing = !editing;
  form.setReadOnly(!editing);
  document.body.classList.toggle("editing", editing);
  editButton.setAttribute("aria-pressed", editing ? "true" : "false");
  editButton.firstChild.textContent = editing ? "Stop editing " : "Edit answer ";
  if (editing) form.focusFirst();
}

async function send(verdict) {
  if (busy) return;
  const body = { verdict, reason: reasonBox.value.trim() };
  if (verdict === "reject" && !body.reason) {
    showErrors(["A rejection needs a reason: the author will read it."]);
    reasonBox.focus();
    return;
  }
  if (editing && verdict === "accept") {
    const problems = form.validate();
    if (problems.length) {
      showErrors(["The edited answer is not complete yet."]);
      form.focus(problems[0].index);
      return;
    }
    body.edited_answer = form.getAnswer();
  }
  if (grader) {
    const grades = grader.get();
    const problem = grades ? grader.validate() : null;
    if (problem) {
      showErrors([problem]);
      grader.el.focus();
      return;
    }
    if (grades) body.rubric = grades;
  }
  busy = true;
  const result = await postJSON(data.urls.verdict, body);
  if (!result.ok) {
    busy = false;
    showErrors([errorMessage(result)]);
    form.showServerProblems(result.data?.error?.details);
    return;
  }
  toast(verdict === "accept" ? "Accepted" : "Sent back");
  const next = await postJSON(data.urls.next, { project_id: data.next_project_id || null });
  window.location.assign(next.ok && next.data?.url ? next.data.url : "/review");
}

acceptButton.addEventListener("click", () => send("accept"));
rejectButton.addEventListener("click", () => send("reject"));
editButton.addEventListener("click", toggleEdit);
document.getElementById("help-button")?.addEventListener("click", () => helpDialog.showModal());

document.addEventListener("keydown", (event) => {
  if (helpDialog?.open) return;
  const mod = event.ctrlKey || event.metaKey;
  if (mod && event.key === "Enter") {
    event.preventDefault();
    send(event.target === reasonBox ? "reject" : "accept");
    return;
  }
  if (event.target === reasonBox) {
    if (event.key === "Escape") reasonBox.blur();
    return;
  }
  if (grader && grader.el.contains(event.target)) {
    if (grader.onKey(event)) event.preventDefault();
    return;
  }
  if (editing && form.handleKey(event)) {
    event.preventDefault();
    return;
  }
  if (isTyping(event.target) || mod || event.altKey) return;
  const key = event.key.toLowerCase();
  if (key === "e") toggleEdit();
  else if (key === "x") reasonBox.focus();
  else if (key === "g" && grader) grader.el.focus();
  else if (event.key === "?") helpDialog?.showModal();
  else return;
  event.preventDefault();
});
