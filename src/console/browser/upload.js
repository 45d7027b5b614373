// Uploads: a queue of files, three at a time, each with its progress and a cancel button. Files above
// 8 MiB go up in 8 MiB parts (CreateMultipartUpload, UploadPart, CompleteMultipartUpload; cancel aborts).
import { escapeXml, putWithProgress, send, sendXml, text } from "./s3.js";
import { base64, sha256 } from "./sign.js";
import { byId, formatSize, h, showError } from "./ui.js";

export const PART_SIZE = 8 * 1024 * 1024;
/** S3's most parts per upload: past 80 GiB, parts grow so that 10,000 of them hold the file. */
const MAX_PARTS = 10_000;
const CONCURRENT_FILES = 3;

/** @typedef {{ bucket: string, key: string, file: File, row: HTMLElement, bar: HTMLProgressElement, status: HTMLElement, controller: AbortController }} Job */

/** @type {Job[]} */
const waiting = [];
let running = 0;
/** Called when a file is done, so the listing can refresh. @type {() => void} */
let onDone = () => {};

/** @param {() => void} callback */
export const whenUploaded = (callback) => { onDone = callback; };

/** Queues files under `prefix`; each file's key is the prefix and its relative path. @param {string} bucket @param {string} prefix @param {{ file: File, path: string }[]} files */
export function enqueue(bucket, prefix, files) {
  const panel = byId("uploads");
  panel.hidden = false;
  const list = /** @type {HTMLElement} */ (panel.querySelector("ul"));
  for (const { file, path } of files) {
    const key = prefix + path;
    const bar = /** @type {HTMLProgressElement} */ (h("progress", { max: String(Math.max(file.size, 1)), value: "0", "aria-label": `Progress of ${key}` }));
    const status = h("span", { class: "status" }, "waiting");
    const controller = new AbortController();
    const cancel = h("button", { class: "small", "aria-label": `Cancel ${key}`, onclick: () => controller.abort() }, "Cancel");
    const row = h("li", { "data-key": key }, h("span", { class: "name", title: key }, key), h("span", { class: "size" }, formatSize(file.size)), bar, status, cancel);
    list.append(row);
    waiting.push({ bucket, key, file, row, bar, status, controller });
  }
  pump();
}

function pump() {
  while (running < CONCURRENT_FILES && waiting.length) {
    const job = /** @type {Job} */ (waiting.shift());
    running++;
    void run(job).finally(() => { running--; pump(); });
  }
}

/** @param {Job} job */
async function run(job) {
  const { status, bar, controller } = job;
  if (controller.signal.aborted) return finish(job, "cancelled");
  status.textContent = "uploading";
  try {
    if (job.file.size > PART_SIZE) await multipart(job);
    else {
      const body = await job.file.arrayBuffer();
      const digest = await sha256(body);
      await putWithProgress({
        bucket: job.bucket, key: job.key, body: job.file, signal: controller.signal,
        headers: { "content-type": job.file.type || "application/octet-stream", "x-amz-checksum-sha256": base64(digest) },
        payloadHash: hexOf(digest), onProgress: (loaded) => { bar.value = loaded; },
      });
    }
    bar.value = bar.max;
    finish(job, "done");
    onDone();
  } catch (error) {
    if (/** @type {Error} */ (error).name === "AbortError") return finish(job, "cancelled");
    const e = /** @type {{ code?: string, message?: string }} */ (error);
    finish(job, `failed: ${e.code ?? ""} ${e.message ?? ""}`.trim());
    showError(error);
  }
}

/** @param {ArrayBuffer} digest */
const hexOf = (digest) => Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");

/** @param {Job} job @param {string} state */
function finish(job, state) {
  job.status.textContent = state;
  job.row.dataset.state = state.split(":")[0];
  job.row.querySelector("button")?.remove();
}

/** @param {Job} job */
async function multipart(job) {
  const { bucket, key, file, controller, bar } = job;
  const created = await sendXml("POST", { bucket, key, query: [["uploads", ""]], headers: { "content-type": file.type || "application/octet-stream" } });
  const uploadId = text(created, "UploadId") ?? "";
  const abort = () => send("DELETE", { bucket, key, query: [["uploadId", uploadId]] }).catch(showError);
  const parts = [];
  let sent = 0;
  try {
    const partSize = Math.max(PART_SIZE, Math.ceil(file.size / MAX_PARTS));
    for (let number = 1, offset = 0; offset < file.size; number++, offset += partSize) {
      if (controller.signal.aborted) throw new DOMException("The upload was cancelled.", "AbortError");
      const blob = file.slice(offset, Math.min(offset + partSize, file.size));
      const digest = await sha256(await blob.arrayBuffer());
      const etag = await putWithProgress({
        bucket, key, body: blob, signal: controller.signal, payloadHash: hexOf(digest),
        query: [["partNumber", String(number)], ["uploadId", uploadId]],
        onProgress: (loaded) => { bar.value = sent + loaded; },
      });
      sent += blob.size;
      parts.push(`<Part><PartNumber>${number}</PartNumber><ETag>${escapeXml(etag)}</ETag></Part>`);
    }
    // CompleteMultipartUpload may answer 200 with an error body; sendXml's result is checked for it.
    const done = await sendXml("POST", { bucket, key, query: [["uploadId", uploadId]], body: `<CompleteMultipartUpload>${parts.join("")}</CompleteMultipartUpload>`, headers: { "content-type": "application/xml" }, checksum: false });
    if (done.localName === "Error") throw new Error(`${text(done, "Code")}: ${text(done, "Message")}`);
  } catch (error) {
    await abort();
    throw error;
  }
}

/** Files of a drop, folders walked (webkitGetAsEntry), each with its path relative to what was dropped. @param {DataTransfer} data */
export async function droppedFiles(data) {
  /** @type {{ file: File, path: string }[]} */
  const files = [];
  const entries = Array.from(data.items).map((item) => item.webkitGetAsEntry?.()).filter((e) => e !== null && e !== undefined);
  if (!entries.length) return Array.from(data.files, (file) => ({ file, path: file.name }));
  /** @param {FileSystemEntry} entry @param {string} base */
  const walk = async (entry, base) => {
    if (entry.isFile) {
      const file = await new Promise((resolve, reject) => /** @type {FileSystemFileEntry} */ (entry).file(resolve, reject));
      files.push({ file: /** @type {File} */ (file), path: base + entry.name });
    } else if (entry.isDirectory) {
      const reader = /** @type {FileSystemDirectoryEntry} */ (entry).createReader();
      // readEntries answers in batches until it answers none.
      for (;;) {
        const batch = await new Promise((resolve, reject) => reader.readEntries(resolve, reject));
        if (!batch.length) break;
        for (const child of batch) await walk(child, `${base}${entry.name}/`);
      }
    }
  };
  for (const entry of entries) await walk(/** @type {FileSystemEntry} */ (entry), "");
  return files;
}

/** Files of an <input type=file>: with webkitdirectory each keeps its folder path. @param {HTMLInputElement} input */
export const pickedFiles = (input) => Array.from(input.files ?? [], (file) => ({ file, path: file.webkitRelativePath || file.name }));
