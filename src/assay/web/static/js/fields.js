// Display fields of a task template: text, markdown, code, chat, image, audio, video and
// model responses side by side. Payload values only ever become text nodes or media URLs.

import { h, mediaUrl } from "./dom.js";
import { codeBlock } from "./highlight.js";
import { renderMarkdown } from "./markdown.js";

export const LETTERS = "ABCDEFGH";

function missing() {
  return h("p", { class: "missing" }, "(nothing to show)");
}

function markdownBlock(text) {
  const node = h("div", { class: "md" });
  node.append(renderMarkdown(text));
  return node;
}

function chat(messages) {
  if (!Array.isArray(messages)) return missing();
  return h(
    "div",
    { class: "chat" },
    messages.map((message) => {
      const role = String(message?.role ?? "");
      const known = ["user", "assistant", "system"].includes(role) ? role : "other";
      return h("div", { class: `msg role-${known}` }, h("span", { class: "role" }, role), markdownBlock(message?.content ?? ""));
    }),
  );
}

function media(kind, value, ctx, label) {
  const url = mediaUrl(value, ctx.mediaBase);
  if (!url) return h("p", { class: "missing" }, "This media file cannot be shown.");
  if (kind === "image") return h("div", { class: "media" }, h("img", { src: url, alt: label, loading: "lazy" }));
  const player = h(kind, { src: url, controls: true, preload: "metadata" });
  // Playing media counts as being active on the task.
  player.addEventListener("timeupdate", () => ctx.onActivity?.());
  return h("div", { class: "media" }, player);
}

// Response labels: A/B for a pairwise comparison, 1..n otherwise; models stay anonymous.
export function responseLabels(field, template) {
  const pairwise = template.questions.some((q) => q.type === "pairwise" && q.source === field.name);
  return (index) => (pairwise ? LETTERS[index] : String(index + 1));
}

function responses(field, value, ctx) {
  if (!Array.isArray(value)) return missing();
  const label = responseLabels(field, ctx.template);
  const grid = h("div", { class: "responses" });
  grid.style.setProperty("--cols", String(Math.min(value.length, 3)));
  value.forEach((response, index) => {
    grid.append(
      h(
        "article",
        { class: "response-card", dataset: { index: String(index) }, "aria-label": `Response ${label(index)}` },
        h("header", {}, h("span", {}, `Response ${label(index)}`)),
        h("div", { class: "body" }, markdownBlock(response?.content ?? "")),
      ),
    );
  });
  return grid;
}

function body(field, value, ctx) {
  if (value === null || value === undefined) return missing();
  switch (field.kind) {
    case "text":
      return h("div", { class: "plain-text" }, String(value));
    case "markdown":
      return markdownBlock(String(value));
    case "code":
      return codeBlock(String(value), field.language || "plaintext");
    case "chat":
      return chat(value);
    case "image":
    case "audio":
    case "video":
      return media(field.kind, value, ctx, field.label || field.name);
    case "model_responses":
      return responses(field, value, ctx);
    default:
      return h("div", { class: "plain-text" }, JSON.stringify(value, null, 2));
  }
}

// One field as a card. A spans or boxes question may hand in its own interactive surface.
export function renderField(field, payload, ctx) {
  const key = field.source || field.name;
  const value = payload ? payload[key] : undefined;
  const surface = ctx.surfaces?.get(field.name);
  return h(
    "section",
    { class: `field field-${field.kind}`, dataset: { field: field.name } },
    h("h2", {}, field.label || field.name),
    surface || body(field, value, ctx),
  );
}
