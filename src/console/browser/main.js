// The console's entry: sign-in, sign-out and the hash router. Credentials live in sessionStorage only
// (this tab), and every view speaks the S3 API through s3.js.
import { showBuckets } from "./buckets.js";
import { showObject } from "./details.js";
import { showObjects } from "./objects.js";
import { listBuckets, loadCredentials, setCredentials } from "./s3.js";
import { showSettings } from "./settings.js";
import { byId, clearMessage, h, render, showError } from "./ui.js";

const region = document.querySelector('meta[name="s3lite-region"]')?.getAttribute("content") || "us-east-1";

function showSignIn() {
  byId("account").replaceChildren();
  const form = /** @type {HTMLFormElement} */ (h("form", { class: "card signin", "aria-labelledby": "signin-title" },
    h("h1", { id: "signin-title" }, "Sign in to s3lite"),
    h("p", { class: "muted" }, "Use an access key this server accepts. It is kept in this browser tab only, until you sign out or close the tab."),
    h("label", {}, "Access key ID", h("input", { name: "accessKeyId", autocomplete: "username", required: true, spellcheck: "false" })),
    h("label", {}, "Secret access key", h("input", { name: "secretAccessKey", type: "password", autocomplete: "current-password", required: true })),
    h("button", { type: "submit", class: "primary" }, "Sign in")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    setCredentials({ accessKeyId: String(data.get("accessKeyId")).trim(), secretAccessKey: String(data.get("secretAccessKey")), region });
    const button = /** @type {HTMLButtonElement} */ (form.querySelector("button"));
    button.disabled = true;
    try {
      // The first signed request tells whether the key and secret are right.
      await listBuckets();
      clearMessage();
      if (location.hash.length <= 2) location.hash = "#/";
      route();
    } catch (error) {
      setCredentials(undefined);
      showError(error);
      button.disabled = false;
    }
  });
  render(form);
  /** @type {HTMLInputElement} */ (form.querySelector("input"))?.focus();
}

function signOut() {
  setCredentials(undefined);
  clearMessage();
  history.replaceState(null, "", location.pathname);
  showSignIn();
}

function route() {
  const creds = loadCredentials();
  if (!creds) return showSignIn();
  byId("account").replaceChildren(h("span", { class: "muted who" }, creds.accessKeyId), h("button", { onclick: signOut }, "Sign out"));
  const [, kind = "", bucketPart = "", ...rest] = location.hash.split("/");
  const bucket = decodeURIComponent(bucketPart);
  const path = rest.map(decodeURIComponent).join("/");
  if (kind === "b" && bucket) return showObjects(bucket, path);
  if (kind === "o" && bucket) return showObject(bucket, path);
  if (kind === "s" && bucket) return showSettings(bucket);
  return showBuckets();
}

byId("clear-uploads").addEventListener("click", () => {
  const panel = byId("uploads");
  for (const row of panel.querySelectorAll("li[data-state]")) row.remove();
  if (!panel.querySelector("li")) panel.hidden = true;
});
window.addEventListener("hashchange", () => { clearMessage(); route(); });
route();
