// The offline scanner page: reads a QR code (camera, photo, PDF page or pasted text), verifies it
// in the browser (scanner-verify.js) and shows the verdict first, then the signed fields.
// The keys (JWKS) and the signed revocation list come from the network when there is one, else
// from the service worker's cache; both are refreshed when the network comes back.
const root = document.getElementById("scanner");
const words = JSON.parse(document.getElementById("scanner-messages").textContent);
const verifier = await import(root.dataset.verifyModule);
const lang = root.dataset.lang;

const $ = (id) => document.getElementById(id);
const format = (template, values) => template.replace(/\{(\w+)\}/g, (_, name) => values[name] ?? "");
const dateText = (iso) => iso.split("-").reverse().join("/");
const timeText = (seconds) =>
  new Intl.DateTimeFormat(lang === "en" ? "en-GB" : "fr-FR", {
    dateStyle: "short",
    timeStyle: "short",
    timeZone: "Europe/Paris",
  }).format(new Date(seconds * 1000));

const state = { keys: null, revocations: null, listError: "", lastText: "" };

// ---- keys and revocation list ------------------------------------------------------------------

async function fetchBytes(url) {
  const response = await fetch(url, { cache: "no-cache" });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

async function refreshLists() {
  try {
    const jwks = JSON.parse(new TextDecoder().decode(await fetchBytes(root.dataset.jwks)));
    state.keys = await verifier.keysFromJwks(jwks);
  } catch (error) {
    if (!state.keys) state.listError = "keys";
  }
  if (state.keys) {
    try {
      const bytes = await fetchBytes(root.dataset.revocations);
      state.revocations = await verifier.revocationListVerify(bytes, state.keys, Date.now() / 1000);
      state.listError = "";
    } catch (error) {
      // A refused list is never used, not even the one before it: it could hide a revocation.
      state.revocations = null;
      state.listError = error instanceof verifier.SealError ? error.message : "missing";
    }
  }
  showListStatus();
}

function showListStatus() {
  const status = $("lists-status");
  const list = state.revocations;
  status.dataset.state = list ? "loaded" : state.listError === "missing" || state.listError === "keys" ? "missing" : "refused";
  if (state.listError === "keys") status.textContent = words.lists.keysMissing;
  else if (list) {
    const minutes = Math.max(0, Math.floor((Date.now() / 1000 - list.producedAt) / 60));
    status.textContent = `${format(words.lists.loaded, { date: timeText(list.producedAt), renew: timeText(list.renewBy) })} ${format(words.lists.age, { minutes })}`;
    status.dataset.producedAt = String(list.producedAt);
  } else if (state.listError === "missing") status.textContent = words.lists.missing;
  else status.textContent = format(words.lists.refused, { reason: state.listError });
  const offline = $("offline-status");
  if (!navigator.onLine) {
    offline.hidden = false;
    offline.textContent = words.lists.offline;
  } else if (offline.dataset.ready === "true") {
    offline.hidden = false;
    offline.textContent = words.lists.ready;
  }
}

// ---- verdict -----------------------------------------------------------------------------------

function fieldRows(claims) {
  const f = words.fields;
  return [
    [f.lastName, claims.lastName.toUpperCase()],
    [f.firstName, claims.firstName],
    [f.birthDate, dateText(claims.birthDate)],
    [f.employer, `${claims.employerName}\n${f.siret} ${claims.employerSiret}`],
    [f.weeklyHours, String(claims.weeklyHours).replace(".", lang === "en" ? "." : ",")],
    [f.validity, format(f.validityValue, { start: dateText(claims.validFrom), end: dateText(claims.validUntil) })],
  ];
}

function element(tag, attributes = {}, text = "") {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  if (text) node.textContent = text;
  return node;
}

function show({ verdict, claims }) {
  const live = $("verdict-live");
  const box = element("div", { class: `wif-verdict-box wif-verdict-box--${verdict}`, "data-verdict": verdict });
  box.append(element("p", { class: "wif-verdict", id: "verdict" }, words.verdicts[verdict]));
  const dates = claims ? { start: dateText(claims.validFrom), end: dateText(claims.validUntil) } : {};
  box.append(element("p", { class: "wif-verdict__detail" }, format(words.details[verdict], dates)));
  live.replaceChildren(box);
  $("result").dataset.verdict = verdict;

  const fields = $("fields");
  fields.replaceChildren();
  if (claims) {
    const table = element("table", { class: "wif-permit-fields" });
    table.append(element("caption", {}, format(words.fields.caption, { number: claims.number })));
    const body = element("tbody");
    for (const [label, value] of fieldRows(claims)) {
      const row = element("tr");
      row.append(element("th", { scope: "row" }, label), element("td", {}, value));
      body.append(row);
    }
    table.append(body);
    fields.append(table, element("p", { class: "fr-text--sm" }, words.fields.compare));
  }
}

async function check(text) {
  state.lastText = text;
  // With a network, take the newest list first: a revocation made a minute ago must show.
  if (navigator.onLine) await refreshLists();
  if (!state.keys) {
    showListStatus();
    return;
  }
  show(await verifier.verdictOf(text, state.keys, state.revocations));
}

// ---- QR decoding -------------------------------------------------------------------------------

let detectorPromise = null;
function detector() {
  detectorPromise ??= (async () => {
    if ("BarcodeDetector" in window && (await window.BarcodeDetector.getSupportedFormats()).includes("qr_code")) {
      return new window.BarcodeDetector({ formats: ["qr_code"] });
    }
    await loadScript(root.dataset.barcodeDetector);
    const api = window.BarcodeDetectionAPI;
    // The WebAssembly decoder from this service, never from a CDN.
    api.setZXingModuleOverrides({ locateFile: () => root.dataset.zxingWasm });
    return new api.BarcodeDetector({ formats: ["qr_code"] });
  })();
  return detectorPromise;
}

function loadScript(src) {
  return new Promise((resolve, reject) => {
    const script = element("script", { src });
    script.onload = resolve;
    script.onerror = () => reject(new Error(`cannot load ${src}`));
    document.head.append(script);
  });
}

async function qrTextsIn(source) {
  const codes = await (await detector()).detect(source);
  return codes.map((code) => code.rawValue);
}

async function pdfPages(file) {
  const pdfjs = await import(root.dataset.pdfjs);
  pdfjs.GlobalWorkerOptions.workerSrc = root.dataset.pdfjsWorker;
  const document_ = await pdfjs.getDocument({ data: new Uint8Array(await file.arrayBuffer()), isEvalSupported: false }).promise;
  const canvases = [];
  for (let number = 1; number <= Math.min(document_.numPages, 5); number++) {
    const page = await document_.getPage(number);
    const viewport = page.getViewport({ scale: 3 }); // 216 dpi, as the command-line verifier
    const canvas = element("canvas", { width: Math.ceil(viewport.width), height: Math.ceil(viewport.height) });
    await page.render({ canvasContext: canvas.getContext("2d"), canvas, viewport }).promise;
    canvases.push(canvas);
  }
  return canvases;
}

async function readFile(file) {
  const status = $("file-status");
  status.textContent = words.file.reading;
  try {
    const sources = file.type === "application/pdf" || /\.pdf$/i.test(file.name) ? await pdfPages(file) : [await createImageBitmap(file)];
    for (const source of sources) {
      const [text] = await qrTextsIn(source);
      if (text) {
        status.textContent = words.file.found;
        await check(text);
        return;
      }
    }
    status.textContent = words.file.noCode;
  } catch (error) {
    status.textContent = `${words.file.noCode} (${error.message})`;
  }
}

// ---- camera ------------------------------------------------------------------------------------

let stream = null;
async function startCamera() {
  const status = $("camera-status");
  status.textContent = words.camera.starting;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
  } catch (error) {
    status.textContent = format(words.camera.unavailable, { reason: error.name || error.message });
    return;
  }
  const video = $("camera");
  video.srcObject = stream;
  video.hidden = false;
  await video.play();
  $("camera-start").hidden = true;
  $("camera-stop").hidden = false;
  $("camera-stop").focus();
  status.textContent = words.camera.scanning;
  const found = await detector();
  const scan = async () => {
    if (!stream) return;
    try {
      const [code] = await found.detect(video);
      if (code && code.rawValue !== state.lastText) await check(code.rawValue);
    } catch {
      // a frame that cannot be read: try the next one
    }
    setTimeout(scan, 250);
  };
  scan();
}

function stopCamera() {
  for (const track of stream?.getTracks() ?? []) track.stop();
  stream = null;
  $("camera").hidden = true;
  $("camera-stop").hidden = true;
  $("camera-start").hidden = false;
  $("camera-start").focus();
  $("camera-status").textContent = words.camera.stopped;
}

// ---- offline -----------------------------------------------------------------------------------

async function installOffline() {
  if (!("serviceWorker" in navigator)) return;
  await navigator.serviceWorker.register(root.dataset.serviceWorker, { scope: location.pathname });
  const registration = await navigator.serviceWorker.ready;
  // Keep what this page loaded (DSFR styles, fonts, icons) with the worker's own list.
  const urls = performance
    .getEntriesByType("resource")
    .map((entry) => entry.name)
    .filter((url) => new URL(url).origin === location.origin);
  const channel = new MessageChannel();
  const done = new Promise((resolve) => (channel.port1.onmessage = resolve));
  const keep = [location.href, root.dataset.barcodeDetector, root.dataset.zxingWasm, ...urls].map((url) => new URL(url, location.href).href);
  registration.active.postMessage({ type: "keep", urls: keep }, [channel.port2]);
  await done;
  $("offline-status").dataset.ready = "true";
  showListStatus();
}

$("camera-start").addEventListener("click", startCamera);
$("camera-stop").addEventListener("click", stopCamera);
$("file").addEventListener("change", (event) => event.target.files[0] && readFile(event.target.files[0]));
$("pasted-check").addEventListener("click", () => {
  const text = $("pasted").value.trim();
  if (text) check(text);
  else $("pasted").focus();
});
window.addEventListener("online", refreshLists);
window.addEventListener("offline", showListStatus);
setInterval(() => (navigator.onLine ? refreshLists() : showListStatus()), 5 * 60 * 1000);

await refreshLists();
root.dataset.ready = "true";
installOffline().catch((error) => console.warn("offline mode unavailable:", error));
