// The task page: render the template, measure active time, autosave drafts through the
// lease heartbeat, submit or skip from the keyboard, then move on to the next task.

import { enhancePage } from "./common.js";
import { errorMessage, isTyping, postJSON, readJSON, toast } from "./dom.js";
import { buildForm } from "./form.js";
import { ActiveTimer, formatClock } from "./timing.js";
import { summariseIntervals } from "./widgets/text.js";

const data = readJSON("page-data");
const root = document.getElementById("task-root");
const errorsBox = document.getElementById("form-errors");
const saveState = document.getElementById("save-state");
const submitButton = document.getElementById("submit-button");
const skipButton = document.getElementById("skip-button");
const skipDialog = document.getElementById("skip-dialog");
const helpDialog = document.getElementById("help-dialog");

enhancePage();
const draft = data.draft || {};
const timer = new ActiveTimer({ initialMs: Number(draft.active_time_ms) || 0 }).start();
const form = buildForm(root, data, {
  onActivity: () => timer.activity(),
  onLastAnswered: () => submitButton.focus(),
});
form.setAnswer(draft.answer);
let savedChanges = form.changeCount;
let busy = false;
let leaseLost = false;

const clock = document.getElementById("active-time");
setInterval(() => { clock.textContent = formatClock(timer.ms); }, 1000);
clock.textContent = formatClock(timer.ms);

function telemetry() {
  const perQuestion = {};
  let keystrokes = 0;
  let pasteCount = 0;
  let pastedChars = 0;
  const intervals = [];
  for (const [name, typing] of form.telemetry()) {
    perQuestion[name] = typing.summary();
    keystrokes += typing.keystrokes;
    pasteCount += typing.pasteCount;
    pastedChars += typing.pastedChars;
    intervals.push(...typing.intervals);
  }
  timer.tick();
  return {
    client: "web",
    active_time_ms: timer.ms,
    idle_ms: Math.round(timer.idleMs),
    hidden_ms: Math.round(timer.hiddenMs),
    keystrokes,
    paste_count: pasteCount,
    pasted_chars: pastedChars,
    typing_intervals: summariseIntervals(intervals),
    text: perQuestion,
  };
}

function showErrors(messages) {
  errorsBox.hidden = !messages.length;
  errorsBox.replaceChildren(...messages.map((m) => Object.assign(document.createElement("div"), { textContent: m })));
}

function loseLease(message) {
  leaseLost = true;
  showErrors([message || "This task’s lease has ended; your draft cannot be saved. Go back to the queue for the next task."]);
  submitButton.disabled = true;
}

async function saveDraft({ force = false, keepalive = false } = {}) {
  if (leaseLost || busy) return;
  const changes = form.changeCount;
  const body = { draft: { answer: form.getAnswer(), active_time_ms: timer.ms, saved_at: new Date().toISOString() } };
  // Without changes the heartbeat still keeps the lease alive, but stores nothing new.
  if (!force && changes === savedChanges) body.draft = null;
  const result = await postJSON(data.urls.heartbeat, body, { keepalive });
  if (result.ok) {
    if (body.draft) {
      savedChanges = changes;
      saveState.textContent = `Draft saved ${new Date().toLocaleTimeString()}`;
    }
  } else if (result.status === 409 || result.status === 404) {
    loseLease(errorMessage(result));
  } else if (result.status !== 0) {
    saveState.textContent = "Draft not saved";
  }
}

async function goNext() {
  const result = await postJSON(data.urls.next, { project_id: data.next_project_id || null });
  window.location.assign(result.ok && result.data?.url ? result.data.url : "/queue");
}

async function submit() {
  if (busy || leaseLost) return;
  const problems = form.validate();
  if (problems.length) {
    showErrors([`Please finish ${problems.length === 1 ? "one question" : problems.length + " questions"} before submitting.`]);
    form.focus(problems[0].index);
    return;
  }
  busy = true;
  submitButton.disabled = true;
  showErrors([]);
  const result = await postJSON(data.urls.submit, { answer: form.getAnswer(), active_time_ms: timer.ms, telemetry: telemetry() });
  if (!result.ok) {
    busy = false;
    submitButton.disabled = false;
    showErrors([errorMessage(result)]);
    form.showServerProblems(result.data?.error?.details);
    if (result.status === 409) loseLease(errorMessage(result));
    return;
  }
  timer.stop();
  toast("Submitted");
  await goNext();
}

function openSkip() {
  if (busy || leaseLost) return;
  skipDialog.showModal();
  skipDialog.querySelector('input[name="reason"]').focus();
}

async function confirmSkip() {
  const chosen = skipDialog.querySelector('input[name="reason"]:checked');
  const note = document.getElementById("skip-note").value.trim();
  const reason = [chosen ? chosen.value : "unspecified", note].filter(Boolean).join(": ");
  skipDialog.close();
  busy = true;
  const result = await postJSON(data.urls.skip, { reason });
  if (!result.ok) {
    busy = false;
    showErrors([errorMessage(result)]);
    return;
  }
  await goNext();
}

skipDialog.addEventListener("keydown", (event) => {
  const radios = [...skipDialog.querySelectorAll('input[name="reason"]')];
  const n = Number(event.key);
  if (event.target.id !== "skip-note" && n >= 1 && n <= radios.length) {
    radios[n - 1].checked = true;
    radios[n - 1].focus();
    event.preventDefault();
  } else if (event.key === "Enter" && event.target.tagName !== "BUTTON") {
    event.preventDefault();
    confirmSkip();
  }
});
document.getElementById("skip-form").addEventListener("submit", (event) => {
  event.preventDefault();
  confirmSkip();
});
document.getElementById("skip-cancel").addEventListener("click", () => skipDialog.close());
skipButton.addEventListener("click", openSkip);
submitButton.addEventListener("click", submit);
document.getElementById("help-button").addEventListener("click", () => helpDialog.showModal());

document.addEventListener("keydown", (event) => {
  if (skipDialog.open || helpDialog.open) return;
  const mod = event.ctrlKey || event.metaKey;
  if (mod && event.key === "Enter") {
    event.preventDefault();
    submit();
    return;
  }
  if (mod && event.key.toLowerCase() === "s") {
    event.preventDefault();
    saveDraft({ force: true });
    return;
  }
  if (event.altKey && event.code === "KeyS") {
    event.preventDefault();
    openSkip();
    return;
  }
  if (event.target.closest?.(".guidelines-panel") && isTyping(event.target)) return;
  if (form.handleKey(event)) {
    event.preventDefault();
    return;
  }
  if (isTyping(event.target) || mod || event.altKey) return;
  if (event.key === "?") {
    event.preventDefault();
    helpDialog.showModal();
  } else if (event.key.toLowerCase() === "s") {
    event.preventDefault();
    openSkip();
  }
});

setInterval(() => saveDraft(), data.autosave_ms || 20000);
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "hidden" && form.changeCount !== savedChanges) saveDraft({ keepalive: true });
});

// Expose a little for people debugging in the console (and for browser tests).
window.assayTask = { form, timer, saveDraft, telemetry };
form.focusFirst();
