// DOM helpers of the console: element building, dialogs, the message bar, formatting. No S3 here.

/**
 * h("button", { class: "x", onclick }, "text", child…): attributes starting with "on" are listeners,
 * `true`/`false` toggle boolean attributes, null and undefined children are skipped.
 * @param {string} tag @param {Record<string, unknown>} [attrs] @param {(Node | string | null | undefined | false)[]} children
 * @returns {HTMLElement}
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") el.addEventListener(name.slice(2), /** @type {EventListener} */ (value));
    else if (name === "value" && "value" in el) /** @type {HTMLInputElement} */ (el).value = String(value);
    else el.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children) if (child !== null && child !== undefined && child !== false) el.append(child);
  return el;
}

/** @param {string} id */
export const byId = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

/** Replaces the main area's content and moves focus to its heading, for keyboard and screen-reader users. @param {Node[]} nodes */
export function render(...nodes) {
  const main = byId("main");
  main.replaceChildren(...nodes);
  main.querySelector("h1")?.setAttribute("tabindex", "-1");
  /** @type {HTMLElement | null} */ (main.querySelector("h1"))?.focus({ preventScroll: true });
}

/** The message bar: errors show their S3 Code and Message. @param {unknown} error */
export function showError(error) {
  const e = /** @type {{ code?: string, message?: string, name?: string }} */ (error);
  if (e?.name === "AbortError") return;
  const bar = byId("messages");
  bar.className = "messages error";
  bar.setAttribute("role", "alert");
  bar.replaceChildren(h("strong", {}, e?.code ?? "Error"), " ", h("span", {}, e?.message ?? String(error)), h("button", { class: "link", "aria-label": "Dismiss", onclick: clearMessage }, "×"));
  console.error(error);
}

/** @param {string} message */
export function showInfo(message) {
  const bar = byId("messages");
  bar.className = "messages info";
  bar.setAttribute("role", "status");
  bar.replaceChildren(h("span", {}, message), h("button", { class: "link", "aria-label": "Dismiss", onclick: clearMessage }, "×"));
}

export function clearMessage() {
  const bar = byId("messages");
  bar.className = "messages";
  bar.replaceChildren();
}

/**
 * Runs an action, showing its error; buttons given are disabled meanwhile.
 * @template T @param {() => Promise<T>} action @param {HTMLButtonElement | HTMLElement} [button] @returns {Promise<T | undefined>}
 */
export async function attempt(action, button) {
  if (button) button.setAttribute("disabled", "");
  try {
    return await action();
  } catch (error) {
    showError(error);
    return undefined;
  } finally {
    if (button) button.removeAttribute("disabled");
  }
}

/**
 * A modal <dialog> (Escape closes it, focus stays inside); resolves with the submitted form's data, or null.
 * @param {string} title @param {(Node | string)[]} fields @param {string} submitLabel @param {{ danger?: boolean, validate?: (form: HTMLFormElement) => boolean }} [options]
 * @returns {Promise<FormData | null>}
 */
export function ask(title, fields, submitLabel, options = {}) {
  return new Promise((resolve) => {
    const submit = h("button", { type: "submit", class: options.danger ? "danger" : "primary" }, submitLabel);
    const form = /** @type {HTMLFormElement} */ (h("form", { method: "dialog" },
      h("h2", {}, title), ...fields,
      h("div", { class: "actions" }, h("button", { type: "button", onclick: () => dialog.close() }, "Cancel"), submit)));
    const dialog = /** @type {HTMLDialogElement} */ (h("dialog", { "aria-label": title }, form));
    let result = /** @type {FormData | null} */ (null);
    const update = () => { if (options.validate) submit.toggleAttribute("disabled", !options.validate(form)); };
    form.addEventListener("input", update);
    update();
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      if (options.validate && !options.validate(form)) return;
      result = new FormData(form);
      dialog.close();
    });
    dialog.addEventListener("close", () => { dialog.remove(); resolve(result); });
    document.body.append(dialog);
    dialog.showModal();
  });
}

const UNITS = ["B", "KiB", "MiB", "GiB", "TiB"];
/** @param {number} bytes */
export function formatSize(bytes) {
  let value = bytes, unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) { value /= 1024; unit++; }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(value < 10 ? 1 : 0)} ${UNITS[unit]}`;
}

/** @param {string} iso */
export const formatDate = (iso) => (iso ? new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" }) : "");

/** Copies text: the async clipboard where the page may use it, else a selected input and execCommand. @param {string} value @param {HTMLInputElement} [input] */
export async function copyText(value, input) {
  try {
    await navigator.clipboard.writeText(value);
    return true;
  } catch {
    if (!input) return false;
    input.select();
    return document.execCommand("copy");
  }
}

/** The console's hash routes: #/ (buckets), #/b/<bucket>/<prefix>, #/o/<bucket>/<key>, #/s/<bucket>. @param {string} kind @param {string[]} parts */
export const routeTo = (kind, ...parts) => `#/${kind}/${parts.map((p, i) => (i === 0 ? encodeURIComponent(p) : p.split("/").map(encodeURIComponent).join("/"))).join("/")}`;
