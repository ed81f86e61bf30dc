// The quality page: each gold miss shows the task with the worker's answer beside the
// expected one, read-only.

import { enhancePage } from "./common.js";
import { h } from "./dom.js";
import { buildForm } from "./form.js";

enhancePage();
for (const card of document.querySelectorAll("[data-miss]")) {
  const data = JSON.parse(card.querySelector("script[type='application/json']").textContent);
  const expectedNames = new Set(Object.keys(data.expected_answer || {}));
  const template = { ...data.template, questions: data.template.questions.filter((q) => expectedNames.has(q.name)) };
  const shown = { ...data, template };
  const fields = card.querySelector("[data-fields]");
  const yours = card.querySelector("[data-yours]");
  const expected = card.querySelector("[data-expected]");
  const first = buildForm(yours, shown, { noAdvance: true });
  first.setAnswer(data.your_answer);
  first.setReadOnly(true);
  const second = buildForm(expected, shown, { noAdvance: true });
  second.setAnswer(data.expected_answer);
  second.setReadOnly(true);
  // Spans and boxes are drawn on their field, so each column keeps its own copy; otherwise
  // the task is shown once above both answers.
  if (!template.questions.some((q) => q.type === "spans" || q.type === "boxes")) {
    const fieldsEl = yours.querySelector(".fields");
    if (fieldsEl) fields.append(fieldsEl);
    expected.querySelector(".fields")?.remove();
  }
  if (!template.questions.length) yours.append(h("p", { class: "muted" }, "No question to compare."));
}
