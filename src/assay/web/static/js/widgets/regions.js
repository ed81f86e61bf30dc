// Regions: a span highlighter on a text field and a box drawer on an image field. Both put an
// interactive surface in place of their source field; offsets are Unicode code points.

import { h, mediaUrl, toast } from "../dom.js";
import { assignKeys, choiceButton, keyHint, plainKey, setChecked, shell } from "./base.js";

function palette(labels, keys, onPick) {
  const buttons = labels.map((label, i) => {
    const button = choiceButton(keys[i], label, { role: "radio", extraClass: `c${i % 8}` });
    button.addEventListener("click", () => onPick(i));
    return button;
  });
  return { el: h("div", { class: "palette", role: "radiogroup", "aria-label": "Labels" }, buttons), buttons };
}

// Words, single punctuation marks and whitespace runs: the units selections snap to.
function tokenise(chars) {
  const tokens = [];
  let i = 0;
  while (i < chars.length) {
    const start = i;
    if (/\s/u.test(chars[i])) {
      while (i < chars.length && /\s/u.test(chars[i])) i += 1;
      tokens.push({ start, end: i, space: true });
    } else if (/[\p{L}\p{N}_'’-]/u.test(chars[i])) {
      while (i < chars.length && /[\p{L}\p{N}_'’-]/u.test(chars[i])) i += 1;
      tokens.push({ start, end: i, space: false });
    } else {
      i += 1;
      tokens.push({ start, end: i, space: false });
    }
  }
  return tokens;
}

export function spansWidget(question, index, ctx) {
  const frame = shell(question, index);
  const field = ctx.fieldsByName.get(question.source);
  const text = String(ctx.payload?.[field?.source || question.source] ?? "");
  const chars = Array.from(text);
  const words = tokenise(chars).filter((t) => !t.space);
  const labels = question.labels;
  const keys = assignKeys(labels.length);
  let spans = [];
  let active = 0;
  let cursor = null; // {anchor, focus} word indexes
  const surface = h("div", { class: "span-text", dataset: { spansFor: question.name } });
  const chips = h("div", { class: "chips", "aria-label": "Marked spans" });
  const pal = palette(labels, keys, (i) => applyLabel(i));
  frame.body.append(pal.el, chips);
  frame.setHint(keyHint(["←", "→"], "move · "), keyHint(["Shift"], "extend · "), keyHint([keys[0], "…"], "label the selection · "), keyHint(["⌫"], "remove · or select with the mouse"));

  function range() {
    if (!cursor) return null;
    const lo = Math.min(cursor.anchor, cursor.focus);
    const hi = Math.max(cursor.anchor, cursor.focus);
    return { start: words[lo].start, end: words[hi].end };
  }
  function paint() {
    const sel = range();
    const cuts = new Set([0, chars.length]);
    for (const t of tokenise(chars)) { cuts.add(t.start); cuts.add(t.end); }
    for (const s of spans) { cuts.add(s.start); cuts.add(s.end); }
    const points = [...cuts].filter((c) => c <= chars.length).sort((a, b) => a - b);
    const nodes = [];
    for (let k = 0; k + 1 < points.length; k += 1) {
      const [start, end] = [points[k], points[k + 1]];
      const covering = spans.filter((s) => s.start <= start && s.end >= end);
      const piece = h("span", { class: "piece", dataset: { s: String(start), e: String(end) } }, chars.slice(start, end).join(""));
      if (covering.length) piece.classList.add("mark", `c${labels.indexOf(covering[0].label) % 8}`);
      if (sel && start >= sel.start && end <= sel.end && !/^\s+$/u.test(piece.textContent)) piece.classList.add("cursor");
      nodes.push(piece);
      for (const s of spans.filter((s) => s.end === end)) {
        nodes.push(h("sup", { class: `span-tag c${labels.indexOf(s.label) % 8}`, "aria-hidden": "true" }, s.label));
      }
    }
    surface.replaceChildren(...nodes);
    chips.replaceChildren(...spans.map((s) => {
      const remove = h("button", { type: "button", tabindex: "-1", "aria-label": `Remove ${s.label} span` }, "×");
      remove.addEventListener("click", () => removeSpan(s));
      return h("span", { class: `chip c${labels.indexOf(s.label) % 8}` }, h("strong", {}, s.label), chars.slice(s.start, s.end).join(""), widget.readOnly ? null : remove);
    }));
    if (!spans.length) chips.append(h("span", { class: "muted small" }, "Nothing marked yet."));
    pal.buttons.forEach((b, i) => { setChecked(b, i === active); b.classList.toggle("c-active", i === active); });
  }
  function applyLabel(i) {
    active = i;
    const sel = range();
    if (!sel || widget.readOnly) { paint(); return; }
    const label = labels[i];
    if (spans.some((s) => s.start === sel.start && s.end === sel.end && s.label === label)) { paint(); return; }
    if (!question.allow_overlap && spans.some((s) => s.start < sel.end && sel.start < s.end)) {
      toast("That overlaps a marked span; remove it first.");
      return;
    }
    spans = [...spans, { start: sel.start, end: sel.end, label }].sort((a, b) => a.start - b.start || a.end - b.end);
    paint();
    ctx.changed(widget);
  }
  function removeSpan(span) {
    if (widget.readOnly) return;
    spans = spans.filter((s) => s !== span);
    paint();
    ctx.changed(widget);
  }
  function offsetOf(node, offset) {
    const piece = (node.nodeType === Node.TEXT_NODE ? node.parentElement : node)?.closest?.(".piece");
    if (!piece || !surface.contains(piece)) return null;
    const inner = node.nodeType === Node.TEXT_NODE ? Array.from(node.textContent.slice(0, offset)).length : 0;
    return Number(piece.dataset.s) + inner;
  }
  function firstWordFrom(offset) {
    return words.findIndex((w) => w.end > offset);
  }
  function lastWordBefore(offset) {
    for (let i = words.length - 1; i >= 0; i -= 1) if (words[i].start < offset) return i;
    return -1;
  }
  surface.addEventListener("mouseup", () => {
    ctx.focus(widget);
    const selection = window.getSelection();
    if (!selection || selection.isCollapsed) return;
    const a = offsetOf(selection.anchorNode, selection.anchorOffset);
    const b = offsetOf(selection.focusNode, selection.focusOffset);
    if (a === null || b === null) return;
    const first = firstWordFrom(Math.min(a, b));
    const last = lastWordBefore(Math.max(a, b));
    selection.removeAllRanges();
    if (first < 0 || last < 0 || last < first) return;
    cursor = { anchor: first, focus: last };
    paint();
  });
  const widget = {
    question, frame, el: frame.section, surface, focusTarget: frame.section, readOnly: false,
    get: () => spans.map((s) => ({ start: s.start, end: s.end, label: s.label })),
    set(value) {
      spans = Array.isArray(value) ? value.filter((s) => labels.includes(s.label)).map((s) => ({ start: s.start, end: s.end, label: s.label })) : [];
      paint();
    },
    onKey(event) {
      if (event.ctrlKey || event.metaKey || event.altKey || !words.length) return false;
      const i = keys.indexOf(event.key);
      if (i >= 0) { applyLabel(i); return true; }
      if (event.key === "ArrowRight" || event.key === "ArrowLeft") {
        const step = event.key === "ArrowRight" ? 1 : -1;
        if (!cursor) cursor = { anchor: 0, focus: 0 };
        else {
          const next = Math.max(0, Math.min(words.length - 1, cursor.focus + step));
          cursor = event.shiftKey ? { anchor: cursor.anchor, focus: next } : { anchor: next, focus: next };
        }
        paint();
        return true;
      }
      if ((event.key === "Backspace" || event.key === "Delete") && cursor) {
        const sel = range();
        const hit = [...spans].reverse().find((s) => s.start < sel.end && sel.start < s.end);
        if (hit) removeSpan(hit);
        return true;
      }
      return false;
    },
    validate: () => null,
  };
  paint();
  return widget;
}

function clamp(value, low, high) {
  return Math.max(low, Math.min(high, value));
}

function round4(value) {
  return Math.round(value * 10000) / 10000;
}

export function boxesWidget(question, index, ctx) {
  const frame = shell(question, index);
  const field = ctx.fieldsByName.get(question.source);
  const url = mediaUrl(ctx.payload?.[field?.source || question.source], ctx.mediaBase);
  const labels = question.labels;
  const keys = assignKeys(labels.length);
  const maxBoxes = question.max_boxes ?? 1000;
  let boxes = [];
  let active = 0;
  let selected = -1;
  let drawing = null;
  const image = h("img", { src: url || "", alt: field?.label || question.source, draggable: "false" });
  const layer = h("div", { class: "box-layer", "aria-label": "Drawing area" });
  const surface = h("div", { class: "box-stage", dataset: { boxesFor: question.name } }, image, layer);
  const list = h("div", { class: "chips", "aria-label": "Boxes" });
  const pal = palette(labels, keys, (i) => pickLabel(i));
  frame.body.append(pal.el, list);
  frame.setHint(keyHint(["N"], "new box · "), keyHint(["←↑→↓"], "move · "), keyHint(["Shift"], "+ arrows resize · "), keyHint(["[", "]"], "pick · "), keyHint([keys[0], "…"], "label · "), keyHint(["Del"], "remove · or drag on the image"));

  function place(el, box) {
    el.style.left = `${box.x * 100}%`;
    el.style.top = `${box.y * 100}%`;
    el.style.width = `${box.w * 100}%`;
    el.style.height = `${box.h * 100}%`;
  }
  function paint() {
    const nodes = boxes.map((box, i) => {
      const colour = labels.indexOf(box.label) % 8;
      const el = h("div", { class: `box b${colour}${i === selected ? " selected" : ""}`, dataset: { index: String(i) } }, h("span", { class: `box-label c${colour}` }, `${i + 1} ${box.label}`));
      place(el, box);
      el.addEventListener("pointerdown", (e) => { e.stopPropagation(); selected = i; ctx.focus(widget); paint(); });
      return el;
    });
    if (drawing) {
      const el = h("div", { class: `box drawing b${active % 8}` });
      place(el, drawing.box);
      nodes.push(el);
    }
    layer.replaceChildren(...nodes);
    list.replaceChildren(...boxes.map((box, i) => {
      const remove = h("button", { type: "button", tabindex: "-1", "aria-label": `Remove box ${i + 1}` }, "×");
      remove.addEventListener("click", () => removeBox(i));
      const chip = h("span", { class: `chip c${labels.indexOf(box.label) % 8}` }, h("strong", {}, `${i + 1} ${box.label}`), `${Math.round(box.w * 100)}×${Math.round(box.h * 100)}%`, widget.readOnly ? null : remove);
      chip.addEventListener("click", () => { selected = i; paint(); });
      return chip;
    }));
    if (!boxes.length) list.append(h("span", { class: "muted small" }, "No boxes yet."));
    pal.buttons.forEach((b, i) => { setChecked(b, i === active); b.classList.toggle("c-active", i === active); });
  }
  function changed() {
    paint();
    ctx.changed(widget);
  }
  function pickLabel(i) {
    active = i;
    if (selected >= 0 && !widget.readOnly) { boxes[selected] = { ...boxes[selected], label: labels[i] }; changed(); }
    else paint();
  }
  function addBox(box) {
    if (boxes.length >= maxBoxes) { toast(`At most ${maxBoxes} boxes.`); return; }
    boxes = [...boxes, { ...box, label: labels[active] }];
    selected = boxes.length - 1;
    changed();
  }
  function removeBox(i) {
    if (widget.readOnly) return;
    boxes = boxes.filter((_, k) => k !== i);
    selected = Math.min(selected, boxes.length - 1);
    changed();
  }
  function point(event) {
    const rect = layer.getBoundingClientRect();
    return { x: clamp((event.clientX - rect.left) / rect.width, 0, 1), y: clamp((event.clientY - rect.top) / rect.height, 0, 1) };
  }
  layer.addEventListener("pointerdown", (event) => {
    if (widget.readOnly || event.button !== 0) return;
    ctx.focus(widget);
    layer.setPointerCapture(event.pointerId);
    const p = point(event);
    drawing = { from: p, box: { x: p.x, y: p.y, w: 0, h: 0 } };
    selected = -1;
    paint();
  });
  layer.addEventListener("pointermove", (event) => {
    if (!drawing) return;
    const p = point(event);
    drawing.box = { x: Math.min(p.x, drawing.from.x), y: Math.min(p.y, drawing.from.y), w: Math.abs(p.x - drawing.from.x), h: Math.abs(p.y - drawing.from.y) };
    paint();
  });
  layer.addEventListener("pointerup", () => {
    if (!drawing) return;
    const box = drawing.box;
    drawing = null;
    if (box.w > 0.01 && box.h > 0.01) addBox(box);
    else paint();
  });
  function nudge(dx, dy, resize) {
    if (selected < 0) return;
    const b = { ...boxes[selected] };
    if (resize) {
      b.w = clamp(b.w + dx, 0.01, 1 - b.x);
      b.h = clamp(b.h + dy, 0.01, 1 - b.y);
    } else {
      b.x = clamp(b.x + dx, 0, 1 - b.w);
      b.y = clamp(b.y + dy, 0, 1 - b.h);
    }
    boxes[selected] = b;
    changed();
  }
  const widget = {
    question, frame, el: frame.section, surface, focusTarget: frame.section, readOnly: false,
    get: () => boxes.map((b) => ({ x: round4(b.x), y: round4(b.y), w: round4(Math.min(b.w, 1 - round4(b.x))), h: round4(Math.min(b.h, 1 - round4(b.y))), label: b.label })),
    set(value) {
      boxes = Array.isArray(value) ? value.filter((b) => labels.includes(b.label)).map((b) => ({ x: b.x, y: b.y, w: b.w, h: b.h, label: b.label })) : [];
      selected = -1;
      paint();
    },
    onKey(event) {
      if (event.ctrlKey || event.metaKey || event.altKey || widget.readOnly) return false;
      const key = event.key;
      const i = keys.indexOf(key);
      const step = 0.01;
      if (i >= 0) pickLabel(i);
      else if (key.toLowerCase() === "n") addBox({ x: 0.4, y: 0.4, w: 0.2, h: 0.2 });
      else if (key === "ArrowLeft") nudge(-step, 0, event.shiftKey);
      else if (key === "ArrowRight") nudge(step, 0, event.shiftKey);
      else if (key === "ArrowUp") nudge(0, -step, event.shiftKey);
      else if (key === "ArrowDown") nudge(0, step, event.shiftKey);
      else if (key === "]" && boxes.length) { selected = (selected + 1) % boxes.length; paint(); }
      else if (key === "[" && boxes.length) { selected = (selected - 1 + boxes.length) % boxes.length; paint(); }
      else if ((key === "Delete" || key === "Backspace" || key.toLowerCase() === "x") && selected >= 0) removeBox(selected);
      else return false;
      return true;
    },
    validate() {
      const low = question.min_boxes ?? 0;
      if (boxes.length < low) return `Draw at least ${low} box${low === 1 ? "" : "es"}.`;
      return null;
    },
  };
  paint();
  return widget;
}
