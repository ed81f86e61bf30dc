// The frame every question shares: number, prompt, help, body, keyboard hint, problem line.

import { h, kbd } from "../dom.js";
import { renderMarkdown } from "../markdown.js";

export function shell(question, index, { focusable = true } = {}) {
  const promptId = `q-${question.name}-prompt`;
  const section = h("section", {
    class: "question",
    dataset: { question: question.name, type: question.type },
    tabindex: focusable ? "0" : null,
    "aria-labelledby": promptId,
  });
  const prompt = h("p", { class: "prompt", id: promptId }, question.prompt);
  if (question.required !== false) prompt.append(h("span", { class: "required", title: "Required", "aria-label": "required" }, "*"));
  section.append(h("header", {}, h("span", { class: "qnum", "aria-hidden": "true" }, String(index + 1)), prompt));
  if (question.help) {
    const help = h("details", { class: "help" }, h("summary", {}, "Help"));
    const text = h("div", { class: "md" });
    text.append(renderMarkdown(question.help));
    help.append(text);
    section.append(help);
  }
  const body = h("div", { class: "qbody" });
  const hint = h("p", { class: "hint" });
  const problem = h("p", { class: "problem", role: "alert", hidden: true });
  section.append(body, hint, problem);
  return {
    section,
    body,
    setHint(...parts) {
      hint.replaceChildren(...parts.flat().map((p) => (typeof p === "string" ? document.createTextNode(p) : p)));
    },
    setProblem(message) {
      problem.hidden = !message;
      problem.textContent = message || "";
      section.classList.toggle("invalid", Boolean(message));
    },
  };
}

// "Keys: [1] [2] [3] choose" style hints.
export function keyHint(keys, what) {
  return [...keys.flatMap((k) => [kbd(k), " "]), what];
}

export function choiceButton(key, content, { role = "radio", extraClass = "" } = {}) {
  return h(
    "button",
    { type: "button", class: `choice ${extraClass}`.trim(), role, "aria-checked": "false", tabindex: "-1" },
    key ? kbd(key) : null,
    content,
  );
}

export function setChecked(button, on) {
  button.setAttribute("aria-checked", on ? "true" : "false");
}

export function plainKey(event) {
  return !event.ctrlKey && !event.metaKey && !event.altKey;
}

// Default hotkeys 1..9 then 0, skipping keys the template already assigned.
export function assignKeys(count, given = []) {
  const taken = new Set(given.filter(Boolean));
  const pool = "1234567890".split("").filter((k) => !taken.has(k));
  return Array.from({ length: count }, (_, i) => given[i] || pool.shift() || null);
}
