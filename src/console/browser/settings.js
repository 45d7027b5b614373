// A bucket's settings, each read and written through its own S3 operation: versioning, public access
// block, tags, policy (JSON), CORS and lifecycle (XML, as the API takes them). Errors are the server's.
import { escapeXml, kids, send, sendXml, text } from "./s3.js";
import { attempt, h, render, routeTo, showError, showInfo } from "./ui.js";

const XML = { "content-type": "application/xml" };
const BLOCKS = ["BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"];

/** A "not configured" answer reads as empty. @param {() => Promise<string>} read @param {string[]} absent */
async function readOr(read, absent) {
  try {
    return await read();
  } catch (error) {
    if (absent.includes(/** @type {{ code?: string }} */ (error).code ?? "")) return "";
    throw error;
  }
}

/**
 * One setting's card: a body, and Save / Remove buttons that call the API and show its answer.
 * @param {string} title @param {string} id @param {Node[]} body @param {() => Promise<unknown>} save @param {(() => Promise<unknown>) | undefined} remove @param {() => Promise<void>} reload
 */
function card(title, id, body, save, remove, reload) {
  const saveButton = h("button", { class: "primary", onclick: () => attempt(async () => { await save(); showInfo(`${title}: saved.`); await reload(); }, saveButton) }, "Save");
  const removeButton = remove && h("button", { class: "danger", onclick: () => attempt(async () => { await remove(); showInfo(`${title}: removed.`); await reload(); }, removeButton) }, "Remove");
  return h("section", { class: "card setting", id, "aria-labelledby": `${id}-title` }, h("h2", { id: `${id}-title` }, title), ...body, h("div", { class: "actions" }, removeButton, saveButton));
}

/** @param {string} label @param {string} name */
const editor = (label, name) => /** @type {HTMLTextAreaElement} */ (h("textarea", { "aria-label": label, name, rows: "10", spellcheck: "false", class: "code" }));

/** @param {string} bucket */
export function showSettings(bucket) {
  const versioning = /** @type {HTMLSelectElement} */ (h("select", { "aria-label": "Versioning", name: "versioning" },
    h("option", { value: "" }, "Never enabled"), h("option", { value: "Enabled" }, "Enabled"), h("option", { value: "Suspended" }, "Suspended")));
  const blocks = BLOCKS.map((name) => /** @type {HTMLInputElement} */ (h("input", { type: "checkbox", name })));
  const tags = editor("Tags, one key=value per line", "tags");
  const policy = editor("Bucket policy (JSON)", "policy");
  const cors = editor("CORS configuration (XML)", "cors");
  const lifecycle = editor("Lifecycle configuration (XML)", "lifecycle");
  policy.placeholder = '{ "Version": "2012-10-17", "Statement": [ … ] }';
  cors.placeholder = "<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>";
  lifecycle.placeholder = "<LifecycleConfiguration><Rule><ID>expire-tmp</ID><Filter><Prefix>tmp/</Prefix></Filter><Status>Enabled</Status><Expiration><Days>7</Days></Expiration></Rule></LifecycleConfiguration>";

  const q = (/** @type {string} */ name) => /** @type {[string, string][]} */ ([[name, ""]]);
  const get = async (/** @type {string} */ name) => (await send("GET", { bucket, query: q(name) })).text();

  const loaders = {
    async versioning() {
      versioning.value = text(await sendXml("GET", { bucket, query: q("versioning") }), "Status") ?? "";
    },
    async publicAccessBlock() {
      const xml = await readOr(() => get("publicAccessBlock"), ["NoSuchPublicAccessBlockConfiguration"]);
      const root = xml ? new DOMParser().parseFromString(xml, "application/xml").documentElement : undefined;
      blocks.forEach((box) => { box.checked = root ? text(root, box.name) === "true" : false; });
    },
    async tags() {
      const xml = await readOr(() => get("tagging"), ["NoSuchTagSet"]);
      const root = xml ? new DOMParser().parseFromString(xml, "application/xml").documentElement : undefined;
      tags.value = root ? kids(kids(root, "TagSet")[0] ?? root, "Tag").map((t) => `${text(t, "Key")}=${text(t, "Value") ?? ""}`).join("\n") : "";
    },
    async policy() {
      const json = await readOr(() => get("policy"), ["NoSuchBucketPolicy"]);
      try { policy.value = json ? JSON.stringify(JSON.parse(json), null, 2) : ""; } catch { policy.value = json; }
    },
    async cors() { cors.value = await readOr(() => get("cors"), ["NoSuchCORSConfiguration"]); },
    async lifecycle() { lifecycle.value = await readOr(() => get("lifecycle"), ["NoSuchLifecycleConfiguration"]); },
  };
  const reload = (/** @type {keyof typeof loaders} */ name) => async () => { await attempt(loaders[name]); };

  render(h("section", { class: "settings" },
    h("nav", { class: "crumbs", "aria-label": "Breadcrumb" }, h("ol", {}, h("li", {}, h("a", { href: "#/" }, "Buckets")), h("li", {}, h("a", { href: routeTo("b", bucket, "") }, bucket)), h("li", {}, h("span", { "aria-current": "page" }, "Settings")))),
    h("div", { class: "toolbar" }, h("h1", {}, `Settings of ${bucket}`)),
    h("div", { class: "grid" },
      card("Versioning", "versioning", [h("label", {}, "Status ", versioning), h("p", { class: "muted" }, "Once enabled, versioning can be suspended but not turned off.")],
        () => {
          if (!versioning.value) throw Object.assign(new Error("Choose Enabled or Suspended."), { code: "InvalidInput" });
          return send("PUT", { bucket, query: q("versioning"), headers: XML, body: `<VersioningConfiguration><Status>${versioning.value}</Status></VersioningConfiguration>` });
        }, undefined, reload("versioning")),
      card("Block public access", "public-access", blocks.map((box) => h("label", { class: "check" }, box, box.name)),
        () => send("PUT", { bucket, query: q("publicAccessBlock"), headers: XML, body: `<PublicAccessBlockConfiguration>${blocks.map((b) => `<${b.name}>${b.checked}</${b.name}>`).join("")}</PublicAccessBlockConfiguration>` }),
        () => send("DELETE", { bucket, query: q("publicAccessBlock") }), reload("publicAccessBlock")),
      card("Tags", "tags", [tags],
        () => {
          const set = tags.value.split("\n").map((line) => line.trim()).filter(Boolean).map((line) => {
            const eq = line.indexOf("=");
            return `<Tag><Key>${escapeXml(eq < 0 ? line : line.slice(0, eq))}</Key><Value>${escapeXml(eq < 0 ? "" : line.slice(eq + 1))}</Value></Tag>`;
          });
          return set.length ? send("PUT", { bucket, query: q("tagging"), headers: XML, body: `<Tagging><TagSet>${set.join("")}</TagSet></Tagging>` }) : send("DELETE", { bucket, query: q("tagging") });
        }, () => send("DELETE", { bucket, query: q("tagging") }), reload("tags"))),
    card("Bucket policy", "policy", [policy, h("p", { class: "muted" }, "Checked by the server when saved; its error is shown as it gives it.")],
      () => send("PUT", { bucket, query: q("policy"), headers: { "content-type": "application/json" }, body: policy.value }),
      () => send("DELETE", { bucket, query: q("policy") }), reload("policy")),
    card("CORS", "cors", [cors], () => send("PUT", { bucket, query: q("cors"), headers: XML, body: cors.value }), () => send("DELETE", { bucket, query: q("cors") }), reload("cors")),
    card("Lifecycle", "lifecycle", [lifecycle], () => send("PUT", { bucket, query: q("lifecycle"), headers: XML, body: lifecycle.value }), () => send("DELETE", { bucket, query: q("lifecycle") }), reload("lifecycle"))));

  // Each setting loads on its own: one a key may not read leaves the others readable.
  for (const load of Object.values(loaders)) void load().catch(showError);
}
