// One object: HeadObject (checksums asked for), its tags, its versions where the bucket has versioning,
// a preview of text, JSON and images, a download, and a presigned GET link with a chosen expiry.
import { download } from "./objects.js";
import { kids, listVersions, presignGet, send, sendXml, text } from "./s3.js";
import { attempt, copyText, formatDate, formatSize, h, render, routeTo, showInfo } from "./ui.js";

const PREVIEW_BYTES = 256 * 1024;
const EXPIRIES = [["60", "1 minute"], ["900", "15 minutes"], ["3600", "1 hour"], ["86400", "1 day"], ["604800", "7 days"]];

/** @param {string} bucket @param {string} key */
export async function showObject(bucket, key) {
  const folder = key.slice(0, key.lastIndexOf("/") + 1);
  const crumbs = [h("a", { href: "#/" }, "Buckets"), h("a", { href: routeTo("b", bucket, "") }, bucket)];
  let walked = "";
  for (const part of folder.split("/").slice(0, -1)) {
    walked += `${part}/`;
    crumbs.push(h("a", { href: routeTo("b", bucket, walked) }, part));
  }
  const facts = h("dl", { class: "facts" });
  const meta = h("dl", { class: "facts" });
  const tags = h("dl", { class: "facts" });
  const preview = h("div", { class: "preview" });
  const versions = h("div", { class: "versions" });
  const expiry = /** @type {HTMLSelectElement} */ (h("select", { "aria-label": "Link expires after", id: "presign-expiry" }, ...EXPIRIES.map(([value, label]) => h("option", { value, selected: value === "3600" }, label))));
  const linkField = /** @type {HTMLInputElement} */ (h("input", { readonly: true, id: "presigned-url", "aria-label": "Presigned link", placeholder: "The link appears here once copied" }));
  const copy = h("button", { class: "primary", onclick: async () => {
    await attempt(async () => {
      const url = await presignGet(bucket, key, [], Number(expiry.value));
      linkField.value = url;
      const copied = await copyText(url, linkField);
      showInfo(copied ? `Presigned link copied; it works for ${expiry.selectedOptions[0]?.textContent}.` : "Presigned link made: copy it from the field.");
    }, copy);
  } }, "Copy presigned link");

  render(h("section", { class: "object" },
    h("nav", { class: "crumbs", "aria-label": "Breadcrumb" }, h("ol", {}, ...crumbs.map((c) => h("li", {}, c)))),
    h("div", { class: "toolbar" }, h("h1", { class: "key" }, key.slice(folder.length) || key),
      h("div", { class: "buttons" }, h("button", { onclick: () => download(bucket, key) }, "Download"))),
    h("div", { class: "grid" },
      h("div", { class: "card" }, h("h2", {}, "Properties"), facts),
      h("div", { class: "card" },
        h("h2", {}, "Share"),
        h("p", { class: "muted" }, "A presigned GET link lets anyone with it download this object until it expires, without credentials."),
        h("div", { class: "row" }, expiry, copy), linkField),
      h("div", { class: "card" }, h("h2", {}, "User metadata"), meta),
      h("div", { class: "card" }, h("h2", {}, "Tags"), tags)),
    h("div", { class: "card" }, h("h2", {}, "Versions"), versions),
    h("div", { class: "card" }, h("h2", {}, "Preview"), preview)));

  const head = await attempt(() => send("HEAD", { bucket, key, headers: { "x-amz-checksum-mode": "ENABLED" } }));
  if (!head) return;
  const hd = head.headers;
  const size = Number(hd.get("content-length") ?? 0);
  const type = hd.get("content-type") ?? "";
  /** @type {[string, string][]} */
  const rows = [
    ["Key", key], ["Size", `${formatSize(size)} (${size.toLocaleString()} bytes)`], ["ETag", hd.get("etag") ?? ""],
    ["Content type", type], ["Last modified", formatDate(hd.get("last-modified") ?? "")],
    ["Storage class", hd.get("x-amz-storage-class") ?? "STANDARD"],
  ];
  for (const [name, value] of hd) {
    if (name.startsWith("x-amz-checksum-") && name !== "x-amz-checksum-type") rows.push([`Checksum ${name.slice(15).toUpperCase()}`, value]);
  }
  for (const [name, label] of [["x-amz-checksum-type", "Checksum type"], ["x-amz-version-id", "Version ID"], ["x-amz-server-side-encryption", "Encryption"], ["cache-control", "Cache-Control"], ["content-encoding", "Content-Encoding"], ["content-disposition", "Content-Disposition"], ["x-amz-object-lock-mode", "Object Lock mode"], ["x-amz-object-lock-retain-until-date", "Retain until"], ["x-amz-object-lock-legal-hold", "Legal hold"]]) {
    const value = hd.get(/** @type {string} */ (name));
    if (value) rows.push([/** @type {string} */ (label), value]);
  }
  facts.replaceChildren(...rows.flatMap(([name, value]) => [h("dt", {}, name), h("dd", { "data-field": name }, value)]));
  const userMeta = [...hd].filter(([name]) => name.startsWith("x-amz-meta-"));
  meta.replaceChildren(...(userMeta.length ? userMeta.flatMap(([name, value]) => [h("dt", {}, name.slice(11)), h("dd", {}, value)]) : [h("dd", { class: "muted" }, "None")]));

  void attempt(async () => {
    const root = await sendXml("GET", { bucket, key, query: [["tagging", ""]] });
    const set = kids(kids(root, "TagSet")[0] ?? root, "Tag");
    tags.replaceChildren(...(set.length ? set.flatMap((t) => [h("dt", {}, text(t, "Key") ?? ""), h("dd", {}, text(t, "Value") ?? "")]) : [h("dd", { class: "muted" }, "None")]));
  });
  void showVersions(bucket, key, versions);
  void showPreview(bucket, key, type, size, preview);
}

/** @param {string} bucket @param {string} key @param {HTMLElement} into */
async function showVersions(bucket, key, into) {
  const status = await attempt(async () => text(await sendXml("GET", { bucket, query: [["versioning", ""]] }), "Status"));
  if (!status) return into.replaceChildren(h("p", { class: "muted" }, "Versioning is not enabled on this bucket."));
  const page = await attempt(() => listVersions(bucket, { prefix: key }));
  if (!page) return;
  const mine = page.versions.filter((v) => v.key === key);
  into.replaceChildren(h("div", { class: "table-wrap" }, h("table", { class: "list" },
    h("thead", {}, h("tr", {}, h("th", {}, "Version ID"), h("th", { class: "num" }, "Size"), h("th", {}, "Last modified"), h("th", {}, ""))),
    h("tbody", {}, ...mine.map((v) => h("tr", {},
      h("td", { class: "mono" }, v.versionId, v.latest ? h("span", { class: "badge" }, "latest") : null, v.deleteMarker ? h("span", { class: "badge" }, "delete marker") : null),
      h("td", { class: "num" }, v.deleteMarker ? "—" : formatSize(v.size)),
      h("td", {}, formatDate(v.modified)),
      h("td", {}, v.deleteMarker ? null : h("button", { class: "small", onclick: () => download(bucket, key, v.versionId) }, "Download"))))))),
  page.next ? h("p", { class: "muted" }, "More versions exist than one page shows.") : "");
}

const TEXT_TYPES = /^(text\/|application\/(json|xml|javascript|x-yaml|yaml|x-sh|toml|x-ndjson)|image\/svg\+xml)/;
const TEXT_NAMES = /\.(txt|md|json|csv|tsv|xml|ya?ml|log|ini|toml|js|ts|css|html?|sh|py|sql)$/i;

/** @param {string} bucket @param {string} key @param {string} type @param {number} size @param {HTMLElement} into */
async function showPreview(bucket, key, type, size, into) {
  const isImage = type.startsWith("image/") && type !== "image/svg+xml";
  const isText = TEXT_TYPES.test(type) || TEXT_NAMES.test(key);
  if (size === 0) return into.replaceChildren(h("p", { class: "muted" }, "Empty object."));
  if (!isImage && !isText) return into.replaceChildren(h("p", { class: "muted" }, `No preview for ${type || "this type"}.`));
  if (isImage) {
    if (size > 20 * 1024 * 1024) return into.replaceChildren(h("p", { class: "muted" }, "Too large to preview."));
    const response = await attempt(() => send("GET", { bucket, key }));
    if (!response) return;
    // A blob: URL keeps the image on this page's origin (the page's policy allows no other source).
    const url = URL.createObjectURL(await response.blob());
    const img = h("img", { src: url, alt: `Preview of ${key}` });
    img.addEventListener("load", () => URL.revokeObjectURL(url));
    return into.replaceChildren(img);
  }
  const response = await attempt(() => send("GET", { bucket, key, headers: size > PREVIEW_BYTES ? { range: `bytes=0-${PREVIEW_BYTES - 1}` } : {} }));
  if (!response) return;
  let body = await response.text();
  if (/json/.test(type) || /\.json$/i.test(key)) {
    try { body = JSON.stringify(JSON.parse(body), null, 2); } catch { /* shown as it is */ }
  }
  into.replaceChildren(h("pre", { class: "text", tabindex: "0" }, body), size > PREVIEW_BYTES ? h("p", { class: "muted" }, `The first ${formatSize(PREVIEW_BYTES)} of ${formatSize(size)}.`) : "");
}
