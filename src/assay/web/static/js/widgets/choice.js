// Choice-like questions: labels (single or multiple), rating scales, numbers, rubrics.

import { h, kbd } from "../dom.js";
import { assignKeys, choiceButton, keyHint, plainKey, setChecked, shell } from "./base.js";

export function labelWidget(question, index, ctx) {
  const frame = shell(question, index);
  const options = question.options;
  const keys = assignKeys(options.length, options.map((o) => o.hotkey));
  const multiple = Boolean(question.multiple);
  let chosen = new Set();
  let touched = false;
  const buttons = options.map((option, i) => {
    const button = choiceButton(keys[i], option.label || option.value, { role: multiple ? "checkbox" : "radio" });
    button.addEventListener("click", () => pick(i));
    return button;
  });
  frame.body.append(h("div", { class: "choice-list", role: multiple ? "group" : "radiogroup" }, buttons));
  frame.setHint(keyHint(keys.filter(Boolean).slice(0, 4), multiple ? "… toggle options" : "… choose"));

  function paint() {
    buttons.forEach((b, i) => setChecked(b, chosen.has(options[i].value)));
  }
  function pick(i) {
    if (widget.readOnly) return;
    const value = options[i].value;
    touched = true;
    if (multiple) chosen.has(value) ? chosen.delete(value) : chosen.add(value);
    else chosen = new Set([value]);
    paint();
    ctx.changed(widget);
    if (!multiple) ctx.advance(widget);
  }
  const widget = {
    question, frame, el: frame.section, focusTarget: frame.section, readOnly: false,
    get() {
      if (!multiple) return chosen.size ? [...chosen][0] : null;
      const low = question.min_selections ?? 1;
      if (!chosen.size && !touched && low > 0) return null;
      return options.map((o) => o.value).filter((v) => chosen.has(v));
    },
    set(value) {
      chosen = new Set(value === null || value === undefined ? [] : Array.isArray(value) ? value : [value]);
      touched = chosen.size > 0;
      paint();
    },
    onKey(event) {
      if (!plainKey(event)) return false;
      const i = keys.indexOf(event.key.toLowerCase());
      if (i < 0) return false;
      pick(i);
      return true;
    },
    validate() {
      const value = widget.get();
      if (!multiple) return value === null && question.required !== false ? "Choose an option." : null;
      const low = question.min_selections ?? 1;
      const high = question.max_selections ?? options.length;
      const n = value ? value.length : 0;
      if (value === null && question.required === false) return null;
      if (n < low || n > high) return `Choose ${low === high ? low : `${low} to ${high}`} option${high === 1 ? "" : "s"}.`;
      return null;
    },
  };
  return widget;
}

function scalePoints(question) {
  const min = question.min ?? 1;
  const max = question.max ?? 5;
  const step = question.step ?? 1;
  const count = Math.round((max - min) / step) + 1;
  const integral = Number.isInteger(min) && Number.isInteger(step);
  return Array.from({ length: count }, (_, k) => {
    const value = min + k * step;
    return integral ? Math.round(value) : Math.round(value * 1e10) / 1e10;
  });
}

export function ratingWidget(question, index, ctx) {
  const frame = shell(question, index);
  const points = scalePoints(question);
  const labels = new Map((question.labels || []).map((l) => [l.value, l.label]));
  let current = null;
  let buttons = [];
  let range = null;
  let output = null;
  // Small integer scales use the point's own digit (1-5 -> keys 1-5); others number by position.
  const digitScale = points.every((p) => Number.isInteger(p) && p >= 0 && p <= 9);
  const keys = points.length <= 10 ? points.map((p, i) => (digitScale ? String(p) : "1234567890"[i])) : [];

  if (points.length <= 11) {
    buttons = points.map((point, i) => {
      const button = choiceButton(keys[i] || null, [h("span", { class: "point" }, String(point)), labels.has(point) ? h("span", { class: "text" }, labels.get(point)) : null]);
      button.addEventListener("click", () => choose(i, true));
      return button;
    });
    frame.body.append(h("div", { class: "scale", role: "radiogroup" }, buttons));
    frame.setHint(keys.length ? keyHint([keys[0], "…", keys[keys.length - 1]], "rate · ← → adjust") : keyHint(["←", "→"], "adjust"));
  } else {
    range = h("input", { type: "range", min: points[0], max: points[points.length - 1], step: question.step ?? 1, "aria-label": question.prompt, tabindex: "-1" });
    output = h("output", {}, "—");
    range.addEventListener("input", () => choose(points.indexOf(Number(range.value)), false));
    frame.body.append(h("div", { class: "range-row" }, h("span", {}, labels.get(points[0]) || String(points[0])), range, h("span", {}, labels.get(points[points.length - 1]) || String(points[points.length - 1])), output));
    frame.setHint(keyHint(["←", "→"], "adjust (Shift: by 10)"));
  }

  function paint() {
    buttons.forEach((b, i) => setChecked(b, i === current));
    if (range && current !== null) {
      range.value = String(points[current]);
      output.textContent = String(points[current]);
    }
  }
  function choose(i, advance) {
    if (widget.readOnly || i < 0 || i >= points.length) return;
    current = i;
    paint();
    ctx.changed(widget);
    if (advance) ctx.advance(widget);
  }
  const widget = {
    question, frame, el: frame.section, focusTarget: frame.section, readOnly: false,
    get: () => (current === null ? null : points[current]),
    set(value) {
      const i = points.findIndex((p) => Math.abs(p - Number(value)) < 1e-9);
      current = value === null || value === undefined || i < 0 ? null : i;
      paint();
    },
    onKey(event) {
      if (!plainKey(event)) return false;
      const i = keys.indexOf(event.key);
      if (i >= 0) {
        choose(i, true);
        return true;
      }
      const stride = event.shiftKey ? 10 : 1;
      if (event.key === "ArrowRight") choose(current === null ? 0 : Math.min(points.length - 1, current + stride), false);
      else if (event.key === "ArrowLeft") choose(current === null ? points.length - 1 : Math.max(0, current - stride), false);
      else return false;
      return true;
    },
    validate: () => (current === null && question.required !== false ? "Choose a point on the scale." : null),
  };
  return widget;
}

export function numericWidget(question, index, ctx) {
  const frame = shell(question, index, { focusable: false });
  const input = h("input", {
    type: "number", inputmode: question.integer ? "numeric" : "decimal",
    min: question.min ?? null, max: question.max ?? null, step: question.integer ? "1" : "any",
    "aria-labelledby": `q-${question.name}-prompt`,
  });
  input.addEventListener("input", () => ctx.changed(widget));
  frame.body.append(h("div", { class: "numeric-row" }, input, question.unit ? h("span", { class: "muted" }, question.unit) : null));
  const bounds = [question.min !== null && question.min !== undefined ? `≥ ${question.min}` : "", question.max !== null && question.max !== undefined ? `≤ ${question.max}` : ""].filter(Boolean).join(", ");
  frame.setHint(`Type a ${question.integer ? "whole " : ""}number${bounds ? ` (${bounds})` : ""}; `, kbd("Esc"), " leaves the box");
  const widget = {
    question, frame, el: frame.section, focusTarget: input, readOnly: false,
    get() {
      if (input.value.trim() === "") return null;
      const number = Number(input.value);
      return Number.isFinite(number) ? number : null;
    },
    set(value) {
      input.value = value === null || value === undefined ? "" : String(value);
    },
    onKey: () => false,
    setReadOnly(on) {
      input.readOnly = on;
    },
    validate() {
      const value = widget.get();
      if (value === null) return question.required !== false ? "Enter a number." : null;
      if (question.integer && !Number.isInteger(value)) return "Enter a whole number.";
      if (question.min !== null && question.min !== undefined && value < question.min) return `Enter at least ${question.min}.`;
      if (question.max !== null && question.max !== undefined && value > question.max) return `Enter at most ${question.max}.`;
      return null;
    },
  };
  return widget;
}

export function rubricScore(question, grades) {
  let total = 0;
  for (const criterion of question.criteria) {
    const grade = grades[criterion.id];
    const points = criterion.points ?? 1;
    const earned = typeof grade === "boolean" ? (grade ? points : 0) : Number(grade || 0);
    const met = typeof grade === "boolean" ? grade : earned === points;
    if (criterion.must_have && !met) return 0;
    total += earned;
  }
  return total;
}

export function rubricWidget(question, index, ctx) {
  const frame = shell(question, index);
  const binary = (question.scale || "binary") === "binary";
  const criteria = question.criteria;
  const keys = assignKeys(criteria.length);
  const grades = {};
  let cursor = 0;
  const rows = [];
  const score = h("p", { class: "rubric-score" });
  const maxScore = criteria.reduce((sum, c) => sum + Math.max(0, c.points ?? 1), 0);
  const table = h("table", { class: "rubric" }, h("tbody", {}, criteria.map((criterion, i) => {
    const points = criterion.points ?? 1;
    const gradeCell = h("td", { class: "grade" });
    const row = { criterion, gradeCell, tr: null, met: null, not: null, input: null };
    if (binary) {
      row.met = choiceButton(null, "✓ Met", { role: "radio" });
      row.not = choiceButton(null, "✗ Not met", { role: "radio" });
      row.met.addEventListener("click", () => grade(i, true));
      row.not.addEventListener("click", () => grade(i, false));
      gradeCell.append(row.met, " ", row.not);
    } else {
      const [low, high] = points < 0 ? [points, 0] : [0, points];
      row.input = h("input", { type: "number", min: low, max: high, step: "any", "aria-label": `Points for ${criterion.description}` });
      row.input.addEventListener("input", () => {
        grades[criterion.id] = row.input.value === "" ? undefined : Number(row.input.value);
        paint();
        ctx.changed(widget);
      });
      gradeCell.append(row.input, ` / ${points}`);
    }
    row.tr = h("tr", {},
      h("td", {}, keys[i] ? kbd(keys[i]) : null),
      h("td", {}, criterion.description, criterion.must_have ? [" ", h("span", { class: "pill warn" }, "must have")] : null),
      h("td", { class: `pts${points < 0 ? " neg" : ""}` }, `${points > 0 ? "+" : ""}${points}`),
      gradeCell);
    row.tr.addEventListener("click", () => { cursor = i; paint(); });
    rows.push(row);
    return row.tr;
  })));
  frame.body.append(table, score);
  frame.setHint(binary ? keyHint([keys[0], "…"], "toggle a criterion · ↑ ↓ move · Y met · N not met") : "Type the points earned per criterion");

  function paint() {
    rows.forEach((row, i) => {
      row.tr.classList.toggle("cursor", i === cursor && binary);
      if (binary) {
        setChecked(row.met, grades[row.criterion.id] === true);
        setChecked(row.not, grades[row.criterion.id] === false);
      }
    });
    const graded = criteria.filter((c) => grades[c.id] !== undefined).length;
    score.textContent = `Score: ${rubricScore(question, grades)} of ${maxScore}` + (graded < criteria.length ? ` · ${criteria.length - graded} left to grade` : "");
  }
  function grade(i, value) {
    if (widget.readOnly) return;
    cursor = i;
    grades[criteria[i].id] = value;
    paint();
    ctx.changed(widget);
    if (criteria.every((c) => grades[c.id] !== undefined) && i === criteria.length - 1) ctx.advance(widget);
  }
  const widget = {
    question, frame, el: frame.section, focusTarget: binary ? frame.section : rows[0].input, readOnly: false,
    get() {
      const present = criteria.filter((c) => grades[c.id] !== undefined && !Number.isNaN(grades[c.id]));
      if (!present.length) return null;
      return Object.fromEntries(present.map((c) => [c.id, grades[c.id]]));
    },
    set(value) {
      for (const c of criteria) {
        grades[c.id] = value && value[c.id] !== undefined ? value[c.id] : undefined;
        const row = rows.find((r) => r.criterion === c);
        if (row.input) row.input.value = grades[c.id] === undefined ? "" : String(grades[c.id]);
      }
      paint();
    },
    setReadOnly(on) {
      rows.forEach((row) => { if (row.input) row.input.readOnly = on; });
    },
    onKey(event) {
      if (!binary || !plainKey(event)) return false;
      const i = keys.indexOf(event.key);
      if (i >= 0) {
        const now = grades[criteria[i].id];
        grade(i, now === undefined ? true : !now);
        return true;
      }
      const key = event.key.toLowerCase();
      if (event.key === "ArrowDown") cursor = Math.min(criteria.length - 1, cursor + 1);
      else if (event.key === "ArrowUp") cursor = Math.max(0, cursor - 1);
      else if (key === "y") { grade(cursor, true); cursor = Math.min(criteria.length - 1, cursor + 1); }
      else if (key === "n") { grade(cursor, false); cursor = Math.min(criteria.length - 1, cursor + 1); }
      else if (key === " ") grade(cursor, !(grades[criteria[cursor].id] ?? false));
      else return false;
      paint();
      return true;
    },
    validate() {
      const missing = criteria.filter((c) => grades[c.id] === undefined);
      if (!missing.length) return null;
      if (missing.length === criteria.length && question.required === false) return null;
      return `Grade every criterion (${missing.length} left).`;
    },
  };
  paint();
  return widget;
}
