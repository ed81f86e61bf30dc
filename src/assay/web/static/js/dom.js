// DOM helpers. Every string from a task payload reaches the page through textContent or a
// text node, never through innerHTML, so markup in a payload is shown, never run.

export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "text") el.textContent = value;
    else if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else if (key === "dataset") Object.assign(el.dataset, value);
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function kbd(key) {
  return h("kbd", { "aria-hidden": "true" }, key);
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

export function readJSON(id) {
  const node = document.getElementById(id);
  return node ? JSON.parse(node.textContent) : null;
}

export function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.getAttribute("content") : "";
}

// POST JSON with the session's CSRF token; resolves to {ok, status, data}, never throws on 4xx.
export async function postJSON(url, body, { keepalive = false } = {}) {
  try {
    const response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      keepalive,
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRF-Token": csrfToken(),
      },
      body: JSON.stringify(body ?? {}),
    });
    let data = null;
    try { data = await response.json(); } catch { data = null; }
    return { ok: response.ok, status: response.status, data };
  } catch (error) {
    return { ok: false, status: 0, data: { error: { message: "Network error: " + error.message } } };
  }
}

export function errorMessage(result) {
  return result?.data?.error?.message || `The server answered ${result.status}.`;
}

export function isTyping(target) {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target.tagName === "TEXTAREA" || target.tagName === "SELECT") return true;
  if (target.tagName !== "INPUT") return false;
  return !["button", "checkbox", "radio", "range", "submit"].includes(target.type);
}

export function toast(message, ms = 1800) {
  const el = h("div", { class: "toast", role: "status" }, message);
  document.body.append(el);
  setTimeout(() => el.remove(), ms);
}

// Media values are http(s) URLs or blob:<id> references served by the workbench.
export function mediaUrl(value, mediaBase) {
  if (typeof value !== "string") return null;
  if (/^https?:\/\//i.test(value)) return value;
  const match = /^blob:([A-Za-z0-9][A-Za-z0-9._-]{0,199})$/.exec(value);
  return match ? mediaBase + encodeURIComponent(match[1]) : null;
}

export function codePoints(text) {
  return Array.from(text || "");
}
