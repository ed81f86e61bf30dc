// Enhancements every page shares: rendered guideline markdown, asking a question without
// leaving the page, and the add/remove rows of the profile editor.

import { csrfToken, h, toast } from "./dom.js";
import { renderMarkdownIn } from "./markdown.js";

function enhanceAskForm(form) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = form.querySelector("textarea").value.trim();
    if (text.length < 3) return;
    const response = await fetch(form.action, {
      method: "POST",
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRF-Token": csrfToken() },
      body: new URLSearchParams({ text }),
    });
    if (!response.ok) {
      toast("Your question could not be sent; try again.");
      return;
    }
    const question = await response.json();
    const list = document.getElementById("qa-list");
    list.querySelector(".empty")?.remove();
    list.append(h("li", { class: "open" },
      h("p", { class: "q" }, h("span", { class: "pill" }, `v${question.guideline_version}`), " ", question.question),
      h("p", { class: "a muted" }, "Waiting for the project lead’s answer.")));
    form.reset();
    toast("Question sent to the project lead.");
  });
}

function enhanceRowEditors(root) {
  for (const editor of root.querySelectorAll("[data-rows]")) {
    const template = editor.querySelector("template");
    editor.querySelector("[data-add-row]")?.addEventListener("click", () => {
      const row = template.content.firstElementChild.cloneNode(true);
      editor.querySelector("[data-row-list]").append(row);
      row.querySelector("input, select")?.focus();
    });
    editor.addEventListener("click", (event) => {
      const button = event.target.closest("[data-remove-row]");
      if (button) button.closest(".editor-row").remove();
    });
  }
}

export function enhancePage(root = document) {
  renderMarkdownIn(root);
  const ask = root.querySelector("#ask-form");
  if (ask) enhanceAskForm(ask);
  enhanceRowEditors(root);
}
