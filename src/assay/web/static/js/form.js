// The answer form: renders a template's fields and questions, routes keys to the current
// question, and reads or restores the whole answer.

import { h, isTyping } from "./dom.js";
import { renderField } from "./fields.js";
import { labelWidget, numericWidget, ratingWidget, rubricWidget } from "./widgets/choice.js";
import { pairwiseWidget, rankingWidget } from "./widgets/compare.js";
import { boxesWidget, spansWidget } from "./widgets/regions.js";
import { textWidget } from "./widgets/text.js";

const FACTORIES = {
  label: labelWidget,
  rating: ratingWidget,
  numeric: numericWidget,
  rubric: rubricWidget,
  text: textWidget,
  pairwise: pairwiseWidget,
  ranking: rankingWidget,
  spans: spansWidget,
  boxes: boxesWidget,
};

export function buildForm(root, data, options = {}) {
  const template = data.template;
  const fieldsByName = new Map(template.fields.map((f) => [f.name, f]));
  const widgets = [];
  let current = 0;
  let lastChange = 0;
  const ctx = {
    root,
    template,
    payload: data.payload || {},
    fieldsByName,
    mediaBase: data.urls?.media || "/media/",
    onActivity: options.onActivity,
    changed(widget) {
      lastChange += 1;
      widget.frame.setProblem(null);
      options.onChange?.(widget);
    },
    advance(widget) {
      const i = widgets.indexOf(widget);
      if (options.noAdvance || i < 0) return;
      if (i + 1 < widgets.length) focus(i + 1);
      else options.onLastAnswered?.();
    },
    focus(widget) {
      setCurrent(widgets.indexOf(widget));
    },
  };
  template.questions.forEach((question, index) => {
    const make = FACTORIES[question.type];
    if (make) widgets.push(make(question, index, ctx));
  });
  ctx.surfaces = new Map(widgets.filter((w) => w.surface).map((w) => [w.question.source, w.surface]));

  const fieldsEl = h("div", { class: "fields" }, template.fields.map((field) => renderField(field, data.payload, ctx)));
  const questionsEl = h("div", { class: "questions" }, widgets.map((w) => w.el));
  root.replaceChildren(fieldsEl, questionsEl);

  widgets.forEach((widget, i) => {
    for (const el of [widget.el, widget.surface].filter(Boolean)) {
      el.addEventListener("focusin", () => setCurrent(i));
      el.addEventListener("pointerdown", () => setCurrent(i));
    }
  });

  function setCurrent(i) {
    if (i < 0 || i >= widgets.length) return;
    current = i;
    widgets.forEach((w, k) => w.el.classList.toggle("current", k === i));
  }
  function focus(i) {
    setCurrent(i);
    const widget = widgets[i];
    widget.focusTarget.focus({ preventScroll: true });
    widget.el.scrollIntoView({ block: "nearest", behavior: "smooth" });
  }
  function widgetOf(target) {
    const i = widgets.findIndex((w) => w.el.contains(target) || w.surface?.contains(target));
    return i >= 0 ? i : current;
  }

  const form = {
    widgets,
    get changeCount() {
      return lastChange;
    },
    focus,
    focusFirst() {
      if (widgets.length) focus(0);
    },
    // Answers to every question answered so far (a draft, or the submitted answer).
    getAnswer() {
      const answer = {};
      for (const widget of widgets) {
        const value = widget.get();
        if (value !== null && value !== undefined) answer[widget.question.name] = value;
      }
      return answer;
    },
    setAnswer(answer) {
      if (!answer) return;
      for (const widget of widgets) {
        if (Object.prototype.hasOwnProperty.call(answer, widget.question.name)) widget.set(answer[widget.question.name]);
      }
    },
    // Checks every question; shows each problem beside its question; returns the problems.
    validate() {
      const problems = [];
      widgets.forEach((widget, i) => {
        const message = widget.validate();
        widget.frame.setProblem(message);
        if (message) problems.push({ index: i, name: widget.question.name, message });
      });
      return problems;
    },
    showServerProblems(details) {
      for (const detail of details || []) {
        const name = detail?.loc?.[0];
        const widget = widgets.find((w) => w.question.name === name);
        if (widget) widget.frame.setProblem(detail.msg + (detail.loc.length > 1 ? ` (${detail.loc.slice(1).join(".")})` : ""));
      }
    },
    setReadOnly(on) {
      for (const widget of widgets) {
        widget.readOnly = on;
        widget.setReadOnly?.(on);
        widget.el.classList.toggle("readonly", on);
        widget.set(widget.get());
      }
    },
    // Route a keydown to the current question; true when it was used.
    handleKey(event) {
      if (!widgets.length) return false;
      if (isTyping(event.target)) {
        if (event.key === "Escape") {
          const i = widgetOf(event.target);
          event.target.blur();
          widgets[i].el.setAttribute("tabindex", "-1");
          widgets[i].el.focus({ preventScroll: true });
          if (widgets[i].focusTarget === widgets[i].el) widgets[i].el.setAttribute("tabindex", "0");
          setCurrent(i);
          return true;
        }
        return false;
      }
      const inside = widgets.some((w) => w.el.contains(event.target) || w.surface?.contains(event.target));
      const control = event.target instanceof Element && event.target.closest("button, a, summary, [role=button]");
      if (!inside && control && (event.key === "Enter" || event.key === " ")) return false;
      const i = widgetOf(event.target);
      setCurrent(i);
      return widgets[i].onKey(event) === true;
    },
    telemetry() {
      return widgets.filter((w) => w.telemetry).map((w) => [w.question.name, w.telemetry]);
    },
  };
  setCurrent(0);
  return form;
}
