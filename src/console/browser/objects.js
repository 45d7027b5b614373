// A bucket's objects under one prefix: folders and breadcrumbs, a page at a time (continuation tokens),
// a prefix filter, sorting within the page, multi-select delete, download, uploads and new folders.
import { deleteObjects, listObjects, presignGet, send } from "./s3.js";
import { droppedFiles, enqueue, pickedFiles, whenUploaded } from "./upload.js";
import { ask, attempt, formatDate, formatSize, h, render, routeTo, showInfo } from "./ui.js";

const PAGE_SIZE = 200;

/** @typedef {"name" | "size" | "date"} SortBy */

/** @param {string} bucket @param {string} prefix */
export function showObjects(bucket, prefix) {
  const state = {
    filter: "",
    /** Continuation tokens of the pages before the current one, and its own. @type {(string | undefined)[]} */
    tokens: [undefined],
    /** @type {SortBy} */ sort: "name",
    descending: false,
    /** @type {import("./s3.js").ObjectPage | undefined} */ page: undefined,
    /** @type {Set<string>} keys, folders ending in "/" */ selected: new Set(),
  };

  const crumbs = [h("a", { href: "#/" }, "Buckets"), h("a", { href: routeTo("b", bucket, "") }, bucket)];
  let walked = "";
  for (const part of prefix.split("/").slice(0, -1)) {
    walked += `${part}/`;
    crumbs.push(h("a", { href: routeTo("b", bucket, walked) }, part));
  }
  crumbs.at(-1)?.setAttribute("aria-current", "page");
  const breadcrumb = h("nav", { class: "crumbs", "aria-label": "Breadcrumb" }, h("ol", {}, ...crumbs.map((c) => h("li", {}, c))));

  const fileInput = /** @type {HTMLInputElement} */ (h("input", { type: "file", multiple: true, id: "upload-files", class: "sr-only", tabindex: "-1", "aria-hidden": "true" }));
  const folderInput = /** @type {HTMLInputElement} */ (h("input", { type: "file", multiple: true, webkitdirectory: true, id: "upload-folder", class: "sr-only", tabindex: "-1", "aria-hidden": "true" }));
  for (const input of [fileInput, folderInput]) {
    input.addEventListener("change", () => { enqueue(bucket, prefix, pickedFiles(input)); input.value = ""; });
  }
  const deleteButton = /** @type {HTMLButtonElement} */ (h("button", { class: "danger", disabled: true, onclick: () => deleteSelected() }, "Delete selected"));
  const filter = /** @type {HTMLInputElement} */ (h("input", { type: "search", placeholder: "Filter by prefix", "aria-label": "Filter by prefix", spellcheck: "false" }));
  let debounce = 0;
  filter.addEventListener("input", () => {
    clearTimeout(debounce);
    debounce = window.setTimeout(() => { state.filter = filter.value; state.tokens = [undefined]; void load(); }, 250);
  });

  const sortButton = (/** @type {SortBy} */ by, /** @type {string} */ label) => h("button", { class: "sort", "data-sort": by, onclick: () => {
    state.descending = state.sort === by ? !state.descending : false;
    state.sort = by;
    draw();
  } }, label);
  const selectAll = /** @type {HTMLInputElement} */ (h("input", { type: "checkbox", "aria-label": "Select all on this page" }));
  selectAll.addEventListener("change", () => {
    for (const name of rowNames()) selectAll.checked ? state.selected.add(name) : state.selected.delete(name);
    draw();
  });
  const tbody = h("tbody");
  const pager = h("div", { class: "pager" });
  const title = prefix ? prefix.split("/").at(-2) ?? prefix : bucket;

  const view = h("section", { class: "objects" },
    breadcrumb,
    h("div", { class: "toolbar" },
      h("h1", {}, title),
      h("div", { class: "buttons" },
        h("button", { class: "primary", onclick: () => fileInput.click() }, "Upload files"),
        h("button", { onclick: () => folderInput.click() }, "Upload folder"),
        h("button", { onclick: () => createFolder() }, "Create folder"),
        deleteButton,
        h("a", { class: "button", href: routeTo("s", bucket) }, "Bucket settings"),
        h("button", { onclick: () => load(), "aria-label": "Refresh" }, "↻"),
        fileInput, folderInput)),
    h("div", { class: "filters" }, filter, h("span", { class: "muted hint" }, "Drop files or folders anywhere here to upload them to this folder.")),
    h("div", { class: "table-wrap" }, h("table", { class: "list objects-table" },
      h("thead", {}, h("tr", {}, h("th", { class: "select" }, selectAll), h("th", { scope: "col" }, sortButton("name", "Name")),
        h("th", { scope: "col", class: "num" }, sortButton("size", "Size")), h("th", { scope: "col", class: "date" }, sortButton("date", "Last modified")), h("th", { scope: "col", class: "class" }, "Storage class"),
        h("th", { scope: "col" }, h("span", { class: "sr-only" }, "Actions")))),
      tbody)),
    pager);

  view.addEventListener("dragover", (event) => { event.preventDefault(); view.classList.add("dropping"); });
  view.addEventListener("dragleave", (event) => { if (event.target === view) view.classList.remove("dropping"); });
  view.addEventListener("drop", async (event) => {
    event.preventDefault();
    view.classList.remove("dropping");
    if (event.dataTransfer) enqueue(bucket, prefix, await droppedFiles(event.dataTransfer));
  });
  // A listing after each finished file, at most one every half second however many finish.
  let reloading = 0;
  whenUploaded(() => {
    if (!reloading) reloading = window.setTimeout(() => { reloading = 0; if (document.body.contains(view)) void load(); }, 500);
  });

  const rowNames = () => [...(state.page?.folders ?? []), ...(state.page?.objects ?? []).map((o) => o.key)];

  async function load() {
    const page = await attempt(() => listObjects(bucket, { prefix: prefix + state.filter, delimiter: "/", token: state.tokens.at(-1), maxKeys: PAGE_SIZE }));
    if (!page) return;
    state.page = page;
    state.selected.clear();
    draw();
  }

  function draw() {
    const page = state.page;
    if (!page) return;
    const sign = state.descending ? -1 : 1;
    /** @type {(a: import("./s3.js").ObjectInfo, b: import("./s3.js").ObjectInfo) => number} */
    const compare = state.sort === "size" ? (a, b) => a.size - b.size : state.sort === "date" ? (a, b) => a.modified.localeCompare(b.modified) : (a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
    const objects = [...page.objects].filter((o) => o.key !== prefix).sort((a, b) => sign * compare(a, b));
    const folders = [...page.folders].sort((a, b) => (state.sort === "name" ? sign : 1) * (a < b ? -1 : 1));
    for (const button of view.querySelectorAll("button.sort")) {
      const by = /** @type {HTMLElement} */ (button).dataset.sort;
      button.closest("th")?.setAttribute("aria-sort", by === state.sort ? (state.descending ? "descending" : "ascending") : "none");
    }
    const check = (/** @type {string} */ name) => {
      const box = /** @type {HTMLInputElement} */ (h("input", { type: "checkbox", "aria-label": `Select ${name}`, "data-name": name }));
      box.checked = state.selected.has(name);
      box.addEventListener("change", () => { box.checked ? state.selected.add(name) : state.selected.delete(name); update(); });
      return box;
    };
    const rows = [
      ...folders.map((folder) => h("tr", { class: "folder", "data-key": folder },
        h("td", { class: "select" }, check(folder)),
        h("td", {}, h("a", { href: routeTo("b", bucket, folder) }, h("span", { "aria-hidden": "true", class: "folder-icon" }), folder.slice(prefix.length))),
        h("td", { class: "num muted" }, "—"), h("td", { class: "date" }), h("td", { class: "class" }), h("td"))),
      ...objects.map((o) => h("tr", { "data-key": o.key },
        h("td", { class: "select" }, check(o.key)),
        h("td", {}, h("a", { href: routeTo("o", bucket, o.key) }, o.key.slice(prefix.length))),
        h("td", { class: "num" }, formatSize(o.size)),
        h("td", { class: "date" }, formatDate(o.modified)),
        h("td", { class: "class muted" }, o.storageClass),
        h("td", { class: "actions" }, h("button", { class: "small", "aria-label": `Download ${o.key}`, onclick: () => download(bucket, o.key) }, "Download")))),
    ];
    tbody.replaceChildren(...(rows.length ? rows : [h("tr", {}, h("td", { colspan: "6", class: "muted" }, state.filter ? "Nothing starts with that prefix here." : "This folder is empty."))]));
    const index = state.tokens.length;
    pager.replaceChildren(
      h("button", { disabled: index === 1, onclick: () => { state.tokens.pop(); void load(); } }, "Previous"),
      h("span", { class: "muted" }, `Page ${index}${state.sort !== "name" || state.descending ? " (sorted within the page)" : ""}`),
      h("button", { disabled: !page.next, onclick: () => { state.tokens.push(page.next); void load(); } }, "Next"));
    update();
  }

  function update() {
    deleteButton.disabled = state.selected.size === 0;
    deleteButton.textContent = state.selected.size ? `Delete selected (${state.selected.size})` : "Delete selected";
    const names = rowNames();
    selectAll.checked = names.length > 0 && names.every((n) => state.selected.has(n));
  }

  async function deleteSelected() {
    const names = [...state.selected];
    const folders = names.filter((n) => n.endsWith("/"));
    const data = await ask(`Delete ${names.length} item${names.length > 1 ? "s" : ""}?`, [
      h("ul", { class: "names" }, ...names.slice(0, 10).map((n) => h("li", {}, n)), names.length > 10 ? h("li", {}, `…and ${names.length - 10} more`) : null),
      folders.length ? h("p", {}, "Folders are deleted with everything in them.") : "",
    ], "Delete", { danger: true });
    if (!data) return;
    await attempt(async () => {
      const keys = names.filter((n) => !n.endsWith("/")).map((key) => ({ key }));
      for (const folder of folders) {
        // Page by page: a folder's keys are listed and deleted a thousand at a time.
        let token;
        do {
          const page = await listObjects(bucket, { prefix: folder, token });
          keys.push(...page.objects.map((o) => ({ key: o.key })));
          token = page.next;
        } while (token);
      }
      const errors = await deleteObjects(bucket, keys);
      if (errors.length) throw Object.assign(new Error(`${errors.length} of ${keys.length} could not be deleted, e.g. ${errors[0]?.key}: ${errors[0]?.message}`), { code: errors[0]?.code });
      showInfo(`Deleted ${keys.length} object${keys.length === 1 ? "" : "s"}.`);
      await load();
    });
  }

  async function createFolder() {
    const data = await ask("Create folder", [h("label", {}, `Name (inside ${prefix || "the bucket's top level"})`, h("input", { name: "name", required: true, autocomplete: "off", spellcheck: "false" }))], "Create");
    const name = String(data?.get("name") ?? "").replace(/^\/+|\/+$/g, "");
    if (!name) return;
    await attempt(async () => {
      // A folder is an empty object whose key ends in "/", as the AWS console makes one.
      await send("PUT", { bucket, key: `${prefix}${name}/`, body: new Uint8Array(0), checksum: false });
      await load();
    });
  }

  render(view);
  void load();
}

/** Downloads through a short-lived presigned URL with Content-Disposition: the browser streams it to disk. @param {string} bucket @param {string} key @param {string} [versionId] */
export async function download(bucket, key, versionId) {
  await attempt(async () => {
    const name = key.split("/").filter(Boolean).at(-1) ?? "download";
    /** @type {[string, string][]} */
    const query = [["response-content-disposition", `attachment; filename*=UTF-8''${encodeURIComponent(name)}`]];
    if (versionId) query.push(["versionId", versionId]);
    const link = h("a", { href: await presignGet(bucket, key, query, 60), download: name, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
  });
}
