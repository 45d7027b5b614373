// The bucket list: names, creation dates, object counts (one ListObjectsV2 page each, "1000+" past it),
// creating a bucket with its options and deleting one, emptied first if asked.
import { emptyBucket, listBuckets, listObjects, send } from "./s3.js";
import { ask, attempt, formatDate, h, render, routeTo, showInfo } from "./ui.js";

export async function showBuckets() {
  const body = h("tbody", {}, h("tr", {}, h("td", { colspan: "4", class: "muted" }, "Loading…")));
  const create = h("button", { class: "primary", onclick: () => createBucket() }, "Create bucket");
  render(
    h("div", { class: "toolbar" }, h("h1", {}, "Buckets"), create),
    h("div", { class: "table-wrap" }, h("table", { class: "list" },
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Name"), h("th", { scope: "col", class: "date" }, "Created"), h("th", { scope: "col", class: "num" }, "Objects"), h("th", { scope: "col" }, h("span", { class: "sr-only" }, "Actions")))),
      body)));
  const buckets = await attempt(() => listBuckets());
  if (!buckets) return body.replaceChildren();
  if (!buckets.length) return body.replaceChildren(h("tr", {}, h("td", { colspan: "4", class: "muted" }, "No buckets yet.")));
  body.replaceChildren(...buckets.map((b) => {
    const count = h("td", { class: "num count", "data-bucket": b.name }, "…");
    return h("tr", { "data-bucket": b.name },
      h("td", {}, h("a", { href: routeTo("b", b.name, "") }, b.name)),
      h("td", { class: "date" }, formatDate(b.created)),
      count,
      h("td", { class: "actions" },
        h("a", { href: routeTo("s", b.name), class: "button small" }, "Settings"),
        h("button", { class: "small danger", "aria-label": `Delete bucket ${b.name}`, onclick: () => deleteBucket(b.name) }, "Delete")));
  }));
  // Counts come lazily, four buckets at a time: one page of keys each, never a whole bucket.
  const queue = [...buckets];
  const worker = async () => {
    for (let b = queue.shift(); b; b = queue.shift()) {
      const cell = body.querySelector(`td.count[data-bucket="${CSS.escape(b.name)}"]`);
      try {
        const page = await listObjects(b.name, { maxKeys: 1000 });
        if (cell) cell.textContent = page.next ? "1000+" : String(page.keyCount);
      } catch (error) {
        if (cell) cell.textContent = /** @type {{ code?: string }} */ (error).code ?? "?";
      }
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
}

async function createBucket() {
  const data = await ask("Create bucket", [
    h("label", {}, "Name", h("input", { name: "name", required: true, pattern: "[a-z0-9][a-z0-9.\\-]{1,61}[a-z0-9]", spellcheck: "false", autocomplete: "off", title: "3 to 63 lower-case letters, digits, dots and hyphens" })),
    h("label", { class: "check" }, h("input", { type: "checkbox", name: "versioning" }), "Versioning"),
    h("label", { class: "check" }, h("input", { type: "checkbox", name: "objectLock" }), "Object Lock (turns versioning on for good)"),
    h("label", {}, "Object ownership", h("select", { name: "ownership" },
      h("option", { value: "BucketOwnerEnforced" }, "Bucket owner enforced (ACLs disabled)"),
      h("option", { value: "BucketOwnerPreferred" }, "Bucket owner preferred"),
      h("option", { value: "ObjectWriter" }, "Object writer"))),
  ], "Create");
  if (!data) return;
  const name = String(data.get("name")).trim();
  await attempt(async () => {
    /** @type {Record<string, string>} */
    const headers = { "x-amz-object-ownership": String(data.get("ownership")) };
    if (data.get("objectLock")) headers["x-amz-bucket-object-lock-enabled"] = "true";
    await send("PUT", { bucket: name, headers });
    if (data.get("versioning") && !data.get("objectLock")) {
      await send("PUT", { bucket: name, query: [["versioning", ""]], body: "<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>", headers: { "content-type": "application/xml" } });
    }
    showInfo(`Created bucket ${name}.`);
    await showBuckets();
  });
}

/** @param {string} name */
async function deleteBucket(name) {
  const data = await ask(`Delete bucket ${name}`, [
    h("p", {}, "A bucket must be empty to be deleted."),
    h("label", { class: "check" }, h("input", { type: "checkbox", name: "empty" }), "Empty it first: delete every object, version and upload in progress"),
    h("label", {}, `Type the bucket's name, ${name}, to confirm`, h("input", { name: "confirm", autocomplete: "off", spellcheck: "false" })),
  ], "Delete bucket", { danger: true, validate: (form) => /** @type {HTMLInputElement} */ (form.elements.namedItem("confirm")).value === name });
  if (!data) return;
  await attempt(async () => {
    if (data.get("empty")) {
      const errors = await emptyBucket(name, (n) => showInfo(`Emptying ${name}: ${n} deleted…`));
      if (errors.length) throw Object.assign(new Error(`${errors.length} could not be deleted, e.g. ${errors[0]?.key}: ${errors[0]?.message}`), { code: errors[0]?.code });
    }
    await send("DELETE", { bucket: name });
    showInfo(`Deleted bucket ${name}.`);
    await showBuckets();
  });
}
