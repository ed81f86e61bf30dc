// Free text with live length bounds, and the typing telemetry effort checks use:
// keystrokes, pastes (count and characters) and a summary of the gaps between keystrokes.

import { h, kbd } from "../dom.js";
import { shell } from "./base.js";

const PAUSE_MS = 5000; // gaps longer than this are thinking, not typing

export function countCharacters(text) {
  return Array.from(String(text).normalize("NFC").trim()).length;
}

export function summariseIntervals(intervals) {
  if (!intervals.length) return { count: 0, mean_ms: null, median_ms: null, p90_ms: null };
  const sorted = [...intervals].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  const mean = sorted.reduce((sum, v) => sum + v, 0) / sorted.length;
  return { count: sorted.length, mean_ms: Math.round(mean), median_ms: at(0.5), p90_ms: at(0.9) };
}

export class TypingTelemetry {
  constructor() {
    this.keystrokes = 0;
    this.pasteCount = 0;
    this.pastedChars = 0;
    this.intervals = [];
    this.lastKeyAt = null;
  }

  attach(element) {
    element.addEventListener("keydown", (event) => {
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      if (event.key.length !== 1 && !["Backspace", "Delete", "Enter"].includes(event.key)) return;
      const now = performance.now();
      this.keystrokes += 1;
      if (this.lastKeyAt !== null && now - this.lastKeyAt <= PAUSE_MS) this.intervals.push(Math.round(now - this.lastKeyAt));
      this.lastKeyAt = now;
    });
    element.addEventListener("paste", (event) => {
      const text = event.clipboardData ? event.clipboardData.getData("text") : "";
      this.pasteCount += 1;
      this.pastedChars += Array.from(text).length;
    });
  }

  summary() {
    return {
      keystrokes: this.keystrokes,
      paste_count: this.pasteCount,
      pasted_chars: this.pastedChars,
      typing_intervals: summariseIntervals(this.intervals),
    };
  }
}

export function textWidget(question, index, ctx) {
  const frame = shell(question, index, { focusable: false });
  const min = question.min_length ?? 1;
  const max = question.max_length ?? 10000;
  const area = h("textarea", {
    class: "text-answer",
    rows: max > 500 ? 8 : 3,
    placeholder: question.placeholder || "",
    "aria-labelledby": `q-${question.name}-prompt`,
    "aria-describedby": `q-${question.name}-counter`,
    spellcheck: "true",
  });
  const counter = h("div", { class: "counter", id: `q-${question.name}-counter`, "aria-live": "polite" });
  const telemetry = new TypingTelemetry();
  telemetry.attach(area);
  area.addEventListener("input", () => {
    paint();
    ctx.changed(widget);
  });
  frame.body.append(area, counter);
  frame.setHint("Type your answer; ", kbd("Esc"), " leaves the box, ", kbd("Ctrl"), "+", kbd("Enter"), " submits");

  function paint() {
    const n = countCharacters(area.value);
    const state = n > max ? "high" : n < min ? "low" : "ok";
    counter.className = `counter ${state}`;
    const need = n < min ? ` · ${min - n} more needed` : n > max ? ` · ${n - max} over the limit` : "";
    counter.textContent = `${n} characters (min ${min}, max ${max})${need}`;
  }
  const widget = {
    question, frame, el: frame.section, focusTarget: area, readOnly: false, telemetry,
    get: () => (area.value.trim() === "" ? null : area.value),
    set(value) {
      area.value = value === null || value === undefined ? "" : String(value);
      paint();
    },
    setReadOnly(on) {
      area.readOnly = on;
    },
    onKey: () => false,
    validate() {
      const n = countCharacters(area.value);
      if (n === 0) return question.required !== false ? `Write at least ${min} characters.` : null;
      if (n < min) return `Write at least ${min} characters (now ${n}).`;
      if (n > max) return `Keep it to ${max} characters (now ${n}).`;
      return null;
    },
  };
  paint();
  return widget;
}
