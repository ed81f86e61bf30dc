// Comparisons: pairwise A / B / tie with strength (overall and per axis), ranking by drag.

import { h, kbd } from "../dom.js";
import { LETTERS } from "../fields.js";
import { choiceButton, keyHint, plainKey, setChecked, shell } from "./base.js";

export function pairwiseWidget(question, index, ctx) {
  const frame = shell(question, index);
  const levels = question.strength_levels || 0;
  const strengthLabels = question.strength_labels || Array.from({ length: levels }, (_, i) => ["slightly", "clearly", "much", "far", "vastly", "overwhelmingly", "entirely"][i] || String(i + 1));
  const allowTie = question.allow_tie !== false;
  const rows = [{ key: null, label: "Overall" }, ...(question.axes || []).map((a) => ({ key: a.name, label: a.label || a.name, help: a.help }))];
  const state = rows.map(() => ({ choice: null, strength: null }));
  let cursor = 0;
  const views = rows.map((row, r) => {
    const a = choiceButton("A", "A is better");
    const tie = allowTie ? choiceButton("T", "Tie") : null;
    const b = choiceButton("B", "B is better");
    a.addEventListener("click", () => choose(r, "A"));
    b.addEventListener("click", () => choose(r, "B"));
    tie?.addEventListener("click", () => choose(r, "tie"));
    const strengths = strengthLabels.map((label, s) => {
      const button = choiceButton(String(s + 1), label);
      button.addEventListener("click", () => strength(r, s + 1));
      return button;
    });
    const strengthBox = h("div", { class: "strengths", role: "radiogroup", "aria-label": "How much better", hidden: true }, strengths);
    const el = h("div", { class: "pair-row", dataset: { row: String(r) } },
      h("span", { class: "axis-name", title: row.help || "" }, row.label),
      h("div", { class: "pair-choices" }, a, tie, b, strengthBox));
    el.addEventListener("click", () => { cursor = r; paint(); });
    return { el, a, b, tie, strengths, strengthBox };
  });
  const reason = h("textarea", { rows: 2, placeholder: question.require_reason ? "Why? (required)" : "Why? (optional)", "aria-label": "Reason for the choice" });
  reason.addEventListener("input", () => ctx.changed(widget));
  frame.body.append(h("div", { class: "pair-rows" }, views.map((v) => v.el)), h("label", { class: "reason-box" }, h("span", { class: "small muted" }, "Reason ", kbd("R")), reason));
  frame.setHint(keyHint(allowTie ? ["A", "B", "T"] : ["A", "B"], levels ? `choose, then ${levels > 1 ? "1–" + levels : "1"} for how much · ↑ ↓ rows · R reason` : "choose · ↑ ↓ rows · R reason"));

  function complete(r) {
    const s = state[r];
    return s.choice !== null && (s.choice === "tie" || !levels || s.strength !== null);
  }
  function paint() {
    views.forEach((view, r) => {
      const s = state[r];
      setChecked(view.a, s.choice === "A");
      setChecked(view.b, s.choice === "B");
      if (view.tie) setChecked(view.tie, s.choice === "tie");
      view.strengthBox.hidden = !levels || s.choice === null || s.choice === "tie";
      view.strengths.forEach((button, i) => setChecked(button, s.strength === i + 1));
      view.el.classList.toggle("cursor", r === cursor);
    });
    const cards = ctx.root.querySelectorAll(`[data-field="${question.source}"] .response-card`);
    cards.forEach((card, i) => card.classList.toggle("chosen", state[0].choice === LETTERS[i]));
  }
  function afterChange(r) {
    paint();
    ctx.changed(widget);
    if (!complete(r)) return;
    if (r < rows.length - 1) {
      cursor = r + 1;
      paint();
    } else if (question.require_reason && !reason.value.trim()) {
      reason.focus();
    } else {
      ctx.advance(widget);
    }
  }
  function choose(r, choice) {
    if (widget.readOnly) return;
    cursor = r;
    state[r] = { choice, strength: choice === "tie" ? null : state[r].strength };
    afterChange(r);
  }
  function strength(r, value) {
    if (widget.readOnly || state[r].choice === null || state[r].choice === "tie") return;
    cursor = r;
    state[r].strength = value;
    afterChange(r);
  }
  function judgement(s) {
    const out = { choice: s.choice };
    if (s.choice !== "tie" && levels && s.strength !== null) out.strength = s.strength;
    return out;
  }
  const widget = {
    question, frame, el: frame.section, focusTarget: frame.section, readOnly: false,
    get() {
      if (state[0].choice === null) return null;
      const value = judgement(state[0]);
      if (question.axes) {
        value.axes = {};
        rows.slice(1).forEach((row, i) => {
          if (state[i + 1].choice !== null) value.axes[row.key] = judgement(state[i + 1]);
        });
      }
      if (reason.value.trim()) value.reason = reason.value;
      return value;
    },
    set(value) {
      const read = (j) => (typeof j === "string" ? { choice: j, strength: null } : { choice: j?.choice ?? null, strength: j?.strength ?? null });
      state[0] = read(value);
      rows.slice(1).forEach((row, i) => { state[i + 1] = read(value?.axes?.[row.key]); });
      reason.value = value?.reason || "";
      paint();
    },
    setReadOnly(on) {
      reason.readOnly = on;
    },
    onKey(event) {
      if (!plainKey(event)) return false;
      const key = event.key.toLowerCase();
      if (key === "a") choose(cursor, "A");
      else if (key === "b") choose(cursor, "B");
      else if (key === "t" && allowTie) choose(cursor, "tie");
      else if (/^[1-7]$/.test(key) && Number(key) <= levels) strength(cursor, Number(key));
      else if (event.key === "ArrowDown") { cursor = Math.min(rows.length - 1, cursor + 1); paint(); }
      else if (event.key === "ArrowUp") { cursor = Math.max(0, cursor - 1); paint(); }
      else if (key === "r") reason.focus();
      else return false;
      return true;
    },
    validate() {
      if (state[0].choice === null) return question.required !== false ? "Choose A, B" + (allowTie ? " or tie." : ".") : null;
      const open = rows.findIndex((_, r) => !complete(r));
      if (open >= 0) return `${rows[open].label}: ${state[open].choice === null ? "choose A, B or tie" : "say how much better"}.`;
      if (question.require_reason && !reason.value.trim()) return "Give a reason for your choice.";
      return null;
    },
  };
  paint();
  return widget;
}

function rankingItems(question, ctx) {
  if (question.items) return question.items.map((item) => ({ id: item.id, label: item.label || item.id, snippet: "" }));
  const field = ctx.fieldsByName.get(question.source);
  const responses = ctx.payload?.[field?.source || question.source];
  if (!Array.isArray(responses)) return [];
  const withIds = responses.every((r) => typeof r?.id === "string");
  return responses.map((r, i) => ({
    id: withIds ? r.id : i,
    label: `Response ${i + 1}`,
    snippet: String(r?.content ?? "").replace(/\s+/g, " ").slice(0, 120),
  }));
}

export function rankingWidget(question, index, ctx) {
  const frame = shell(question, index);
  const items = rankingItems(question, ctx);
  let order = items.map((_, i) => i);
  let touched = false;
  let cursor = 0;
  let dragFrom = null;
  const list = h("ol", { class: "rank-list", "aria-label": "Ranking, best first" });
  const status = h("p", { class: "rank-state muted" });
  frame.body.append(list, status);
  frame.setHint(keyHint(["↑", "↓"], "pick · "), keyHint(["Shift", "↑/↓"], "move · "), keyHint(["Enter"], "keep this order · or drag"));

  function move(from, to) {
    if (widget.readOnly || to < 0 || to >= order.length || from === to) return;
    const [item] = order.splice(from, 1);
    order.splice(to, 0, item);
    cursor = to;
    touched = true;
    paint();
    ctx.changed(widget);
  }
  function paint() {
    list.replaceChildren(...order.map((itemIndex, position) => {
      const item = items[itemIndex];
      const up = h("button", { type: "button", tabindex: "-1", "aria-label": "Move up" }, "↑");
      const down = h("button", { type: "button", tabindex: "-1", "aria-label": "Move down" }, "↓");
      up.addEventListener("click", (e) => { e.stopPropagation(); move(position, position - 1); });
      down.addEventListener("click", (e) => { e.stopPropagation(); move(position, position + 1); });
      const li = h("li", { class: `rank-item${position === cursor ? " cursor" : ""}`, draggable: widget.readOnly ? "false" : "true", dataset: { position: String(position) } },
        h("span", { class: "grip", "aria-hidden": "true" }, "⠿"),
        h("span", { class: "pos" }, String(position + 1)),
        h("span", {}, h("strong", {}, item.label), item.snippet ? h("span", { class: "snippet" }, ` — ${item.snippet}`) : null),
        h("span", { class: "moves" }, up, down));
      li.addEventListener("click", () => { cursor = position; paint(); });
      li.addEventListener("dragstart", (e) => { dragFrom = position; li.classList.add("dragging"); e.dataTransfer.effectAllowed = "move"; e.dataTransfer.setData("text/plain", String(position)); });
      li.addEventListener("dragend", () => { dragFrom = null; paint(); });
      li.addEventListener("dragover", (e) => { if (dragFrom === null) return; e.preventDefault(); li.classList.add("drop-before"); });
      li.addEventListener("dragleave", () => li.classList.remove("drop-before"));
      li.addEventListener("drop", (e) => { e.preventDefault(); if (dragFrom !== null) move(dragFrom, position); dragFrom = null; });
      return li;
    }));
    status.textContent = touched ? "Ranked: best first." : "Not ranked yet — drag items, or press Enter to keep this order.";
  }
  const widget = {
    question, frame, el: frame.section, focusTarget: frame.section, readOnly: false,
    get: () => (touched ? order.map((i) => items[i].id) : null),
    set(value) {
      if (!Array.isArray(value)) { touched = false; paint(); return; }
      const positions = value.map((id) => items.findIndex((item) => item.id === id)).filter((i) => i >= 0);
      if (positions.length === items.length) { order = positions; touched = true; }
      paint();
    },
    onKey(event) {
      if (event.ctrlKey || event.metaKey) return false;
      const shift = event.shiftKey || event.altKey;
      if (event.key === "ArrowDown") shift ? move(cursor, cursor + 1) : ((cursor = Math.min(order.length - 1, cursor + 1)), paint());
      else if (event.key === "ArrowUp") shift ? move(cursor, cursor - 1) : ((cursor = Math.max(0, cursor - 1)), paint());
      else if (event.key === "Enter" && !shift) {
        if (widget.readOnly) return true;
        touched = true;
        paint();
        ctx.changed(widget);
        ctx.advance(widget);
      } else return false;
      return true;
    },
    validate: () => (!touched && question.required !== false ? "Rank the items (or press Enter to keep this order)." : null),
  };
  paint();
  return widget;
}
