// scanner.js: the camera scanner page (templates/scanner.html), an ES module with no build step.
//
// Reads QR codes from the rear camera (the vendored zxing-wasm decoder; if its WebAssembly cannot
// load, the native BarcodeDetector when the browser has one, else the vendored jsQR), or from the
// manual-entry box, and shows a big allow/deny verdict.
//
// Checkpoint mode (officers): each scan is POSTed to /api/v1/checkpoints/{id}/scans with a fresh
// client_id. When the phone is offline, or the request fails or takes over FETCH_TIMEOUT_MS, the
// code is verified here with hc-verify.js against the trust list and status list cached in
// localStorage, and the passage is queued in localStorage under its client_id; the queue is sent
// to passages:sync (idempotent by client_id) when the connection returns, on "sync now", and
// every SYNC_RETRY_MS. A request that timed out but did reach the server is thus recorded once.
//
// Venue staff mode: online only; POST /api/v1/venues/{id}/scans, verdict plus entered/exited.
import { prepareTrustList, verifyHealthCode } from '/static/hc-verify.js';
import { prepareDscList, verifyDcc } from '/static/dcc-verify.js';
import { verifyPaperPass } from '/static/hc-pass.js';

const REPEAT_MS = 3_000; // the same QR text read again within this window is ignored
const FETCH_TIMEOUT_MS = 1_500; // a slower scan answer counts as offline
const SYNC_TIMEOUT_MS = 10_000;
const REFRESH_MS = 5 * 60_000; // trust list and status list, while online
const SYNC_RETRY_MS = 30_000;
const STALE_LIST_MS = 60 * 60_000; // a status list older than this is flagged
const RETRY_ONLINE_MS = 30_000; // after a failed request, scans are judged here this long
const FRAME_MS = 100; // between decode attempts
const STALE_MS = 8_000; // a verdict fades after this long
const MAX_DECODE_SIDE = 800; // frames are scaled down to this for zxing-wasm and jsQR
const SYNC_BATCH = 1_000; // the server takes at most this many per request
const JSQR_URL = '/static/vendor/jsQR.js';
const ZXING_URL = '/static/vendor/zxing-reader.js'; // zxing-wasm 3.1.8, the reader's IIFE bundle
const ZXING_WASM_URL = '/static/vendor/zxing_reader.wasm'; // its module (the service worker keeps both)
// As measured in docs/BENCHMARKS.md ("zxing-wasm@800"): QR only, try harder, valid symbols only.
const ZXING_OPTIONS = { formats: ['QRCode'], tryHarder: true, maxNumberOfSymbols: 4 };
const TRUST_KEY = 'hc.scanner.trust-list';
const STATUS_KEY = 'hc.scanner.status-list';
const PEERS_KEY = 'hc.scanner.peer-lists'; // peer regions' keys and status lists (federation)
const DIRECTION_KEY = 'hc.scanner.direction';
const DCC_KEY = 'hc.scanner.dcc-list'; // EU DCC: DSCs and acceptance rules
const RANK = { green: 0, yellow: 1, red: 2 };

const cfg = JSON.parse(document.getElementById('scanner-config').dataset.config);
const checkpointMode = cfg.mode === 'checkpoint';
const gateMode = cfg.mode === 'gate';
const QUEUE_KEY = `hc.scanner.queue.${cfg.id}`;
const $ = (id) => document.getElementById(id);
const t = (key, n) => String(cfg.t[key] ?? key).replace('{n}', String(n));

// ---- Local storage ---------------------------------------------------------------------------

function load(key) {
  try {
    return JSON.parse(localStorage.getItem(key));
  } catch {
    return null;
  }
}

function store(key, value) {
  try {
    localStorage.setItem(key, JSON.stringify(value));
    return true;
  } catch {
    return false; // full or disabled: the page still works online
  }
}

const readQueue = () => {
  const q = load(QUEUE_KEY);
  return Array.isArray(q) ? q : [];
};

function enqueue(passage) {
  const q = readQueue();
  q.push(passage);
  store(QUEUE_KEY, q);
  renderNet();
}

// ---- State shown in the status line ----------------------------------------------------------

let reachable = true; // the last request to the server got an answer
let failedAt = 0; // when a request last failed: scans skip the server for RETRY_ONLINE_MS after
let trust = null; // prepared trust list
let statusMap = new Map(); // holder hex -> "yellow" | "red"
let passPrints = new Map(); // holder hex -> current paper pass print number (reprinted holders only)
let peers = []; // [{ region, expiresAt (ms), trust (prepared), statusMap }] of peer regions
let dccList = null; // prepared EU DSC list and rules (dcc-verify.js)

function isOnline() {
  return navigator.onLine && reachable;
}

function renderNet() {
  const net = $('net');
  const online = isOnline();
  net.dataset.online = String(online);
  $('net-state').textContent = t(online ? 'scan.online' : 'scan.offline');
  if (checkpointMode) {
    const n = readQueue().length;
    net.dataset.queued = String(n);
    $('queue-text').textContent = t('scan.queued', n);
    $('sync-now').hidden = n === 0;
    $('sync-now').disabled = !navigator.onLine;
  }
}

function age(fetchedAt) {
  if (!fetchedAt) return t('scan.age_never');
  const minutes = Math.floor((Date.now() - fetchedAt) / 60_000);
  if (minutes < 1) return t('scan.age_now');
  if (minutes < 120) return t('scan.age_min', minutes);
  return t('scan.age_hours', Math.floor(minutes / 60));
}

function renderAges() {
  if (!checkpointMode) return;
  const trustAt = load(TRUST_KEY)?.fetchedAt;
  const statusAt = load(STATUS_KEY)?.fetchedAt;
  const el = $('lists-age');
  const parts = [`${t('scan.trust_list')}: ${age(trustAt)}`, `${t('scan.status_list')}: ${age(statusAt)}`];
  // Each peer region's keys, by when the server last heard from that region.
  const peerList = load(PEERS_KEY)?.body;
  if (Array.isArray(peerList)) {
    for (const p of peerList) parts.push(`${p.region}: ${age(p.checked_at ? Date.parse(p.checked_at) : null)}`);
  }
  el.textContent = parts.join(' · ');
  // An old status list misses recent colour changes: say so loudly.
  el.dataset.stale = String(!statusAt || Date.now() - statusAt > STALE_LIST_MS);
}

// ---- Verdict panel ---------------------------------------------------------------------------

let staleTimer = 0;
let judgingSince = 0; // performance.now() when the code being judged was read

function setLine(id, text) {
  const el = $(id);
  el.textContent = text || '';
  el.hidden = !text;
}

function reasonText(code, message) {
  const known = cfg.t[`reason.${code}`];
  if (known) return known;
  if (String(code).startsWith('CODE_')) return t('reason.invalid');
  return message || code;
}

/** Shows {verdict, reason, message?, colour?, holderHint?, outcome?, offline?}. */
function showVerdict(v) {
  const el = $('verdict');
  el.classList.remove('fresh', 'stale');
  void el.offsetWidth; // restart the animation, so two greens in a row are seen as two
  el.classList.add('fresh');
  el.dataset.verdict = v.verdict;
  el.dataset.reason = v.reason;
  $('verdict-word').textContent = t(v.verdict === 'allow' ? 'scan.allow' : 'scan.deny');
  setLine('verdict-colour', v.colour ? t(`colour.${v.colour}`) : '');
  // A peer region's code says where it comes from.
  const foreign = v.region && v.region !== cfg.region ? t('scan.issued_by', v.region) : '';
  // An EU DCC names its type and the acceptance rule applied.
  const dcc = v.dcc?.kind ? t('scan.dcc', `${t(`dcc.kind.${v.dcc.kind}`)} · ${v.dcc.rule_id} v${v.dcc.rule_version}`) : '';
  setLine('verdict-holder', [v.holderHint, foreign, dcc].filter(Boolean).join(' · '));
  el.dataset.region = v.region ?? '';
  el.dataset.dccKind = v.dcc?.kind ?? '';
  el.dataset.dccRule = v.dcc?.rule_id ?? '';
  // Checkpoints, this region's holders: what they declared (origin, risk area, today).
  const origin = v.declaredOrigin;
  setLine('verdict-origin', origin == null ? '' : (origin.length ? t('scan.origin', origin.join(', ')) : t('scan.origin_none'))
    + (v.originInRiskArea ? ` · ${t('scan.origin_risk')}` : ''));
  $('verdict').dataset.originRisk = v.originInRiskArea == null ? '' : String(v.originInRiskArea);
  setLine('verdict-declared-today', v.declaredToday == null ? '' : t(v.declaredToday ? 'scan.declared_today_yes' : 'scan.declared_today_no'));
  setLine('verdict-outcome', v.outcome ? t(`checkin.${v.outcome}`) : '');
  setLine('verdict-reason', reasonText(v.reason, v.message));
  $('verdict-code').textContent = v.reason;
  $('verdict-source').textContent = v.offline ? `· ${t('scan.checked_offline')}` : '';
  $('verdict-time').textContent = `· ${new Date().toLocaleTimeString(cfg.lang)}`;
  $('verdict-meta').hidden = false;
  el.dataset.ms = String(Math.round(performance.now() - judgingSince)); // read to shown, for tests

  $('scan-error').hidden = true;
  clearTimeout(staleTimer);
  staleTimer = setTimeout(() => el.classList.add('stale'), STALE_MS);
  navigator.vibrate?.(v.verdict === 'allow' ? 80 : [200, 100, 200]);
}

function showError(text, link) {
  const el = $('scan-error');
  el.textContent = text;
  if (link) {
    const a = document.createElement('a');
    a.href = link;
    a.textContent = ' →';
    el.append(a);
  }
  el.hidden = false;
}

// ---- Talking to the server -------------------------------------------------------------------

class Unreachable extends Error {}

/** fetch with a deadline; network failures, timeouts and 5xx throw Unreachable. */
async function call(url, init, timeoutMs) {
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), timeoutMs);
  try {
    const res = await fetch(url, { credentials: 'same-origin', cache: 'no-store', ...init, signal: ctrl.signal });
    const body = await res.json().catch(() => null);
    if (res.status >= 500 || body === null) throw new Unreachable(`HTTP ${res.status}`);
    reachable = true;
    return { status: res.status, ok: res.ok, body };
  } catch (e) {
    reachable = false;
    failedAt = Date.now();
    throw e instanceof Unreachable ? e : new Unreachable(String(e));
  } finally {
    clearTimeout(timer);
    renderNet();
  }
}

const postJson = (url, body, timeoutMs) =>
  call(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }, timeoutMs);

function apiError(res) {
  if (res.status === 401) {
    showError(t('scan.signin_again'), cfg.signInUrl);
  } else {
    showError(`${t('scan.failed')}: ${res.body?.error?.message ?? res.status} (${res.body?.error?.code ?? res.status})`);
  }
}

async function refreshLists() {
  if (!checkpointMode || !navigator.onLine) return;
  try {
    const res = await call(cfg.trustListUrl, {}, SYNC_TIMEOUT_MS);
    if (res.ok) {
      trust = await prepareTrustList(res.body);
      store(TRUST_KEY, { fetchedAt: Date.now(), body: res.body });
    }
  } catch {
    // keep the cached list
  }
  try {
    const res = await call(cfg.statusListUrl, {}, SYNC_TIMEOUT_MS);
    if (res.ok && Array.isArray(res.body.holders)) {
      statusMap = new Map(res.body.holders.map((e) => [e.h, e.c]));
      passPrints = new Map((res.body.passes ?? []).map((e) => [e.h, e.n]));
      store(STATUS_KEY, { fetchedAt: Date.now(), body: res.body });
    } else if (res.status === 401) {
      apiError(res);
    }
  } catch {
    // keep the cached list
  }
  try {
    const res = await call(cfg.dccListUrl, {}, SYNC_TIMEOUT_MS);
    if (res.ok) {
      dccList = await prepareDscList(res.body);
      store(DCC_KEY, { fetchedAt: Date.now(), body: res.body });
    }
  } catch {
    // keep the cached list
  }
  try {
    const res = await call(cfg.peerListsUrl, {}, SYNC_TIMEOUT_MS);
    if (res.ok && Array.isArray(res.body)) {
      peers = await preparePeers(res.body);
      store(PEERS_KEY, { fetchedAt: Date.now(), body: res.body });
    }
  } catch {
    // keep the cached lists
  }
  renderAges();
}

/** Peer regions as GET /api/v1/federation/peers lists them, ready to verify with. */
async function preparePeers(list) {
  const out = [];
  for (const p of list) {
    if (!p.trust_list || !p.expires_at) continue; // never fetched by the server
    try {
      out.push({
        region: p.region,
        expiresAt: Date.parse(p.expires_at),
        trust: await prepareTrustList(p.trust_list),
        statusMap: new Map((p.holders ?? []).map((e) => [e.h, e.c])),
      });
    } catch {
      // an unusable list: its codes stay unknown here
    }
  }
  return out;
}

async function loadCachedLists() {
  const cachedTrust = load(TRUST_KEY)?.body;
  if (cachedTrust) {
    try {
      trust = await prepareTrustList(cachedTrust);
    } catch {
      trust = null;
    }
  }
  const holders = load(STATUS_KEY)?.body?.holders;
  if (Array.isArray(holders)) statusMap = new Map(holders.map((e) => [e.h, e.c]));
  const cachedDcc = load(DCC_KEY)?.body;
  if (cachedDcc) dccList = await prepareDscList(cachedDcc).catch(() => null);
  const passes = load(STATUS_KEY)?.body?.passes;
  if (Array.isArray(passes)) passPrints = new Map(passes.map((e) => [e.h, e.n]));
  const cachedPeers = load(PEERS_KEY)?.body;
  if (Array.isArray(cachedPeers)) peers = await preparePeers(cachedPeers);
}

let syncing = false;

/** Sends the queued passages; what the server acknowledged leaves the queue. */
async function syncQueue() {
  if (!checkpointMode || syncing || !navigator.onLine) return;
  syncing = true;
  try {
    let queue = readQueue();
    while (queue.length > 0) {
      const batch = queue.slice(0, SYNC_BATCH);
      const res = await postJson(cfg.syncUrl, { passages: batch }, SYNC_TIMEOUT_MS);
      if (!res.ok) {
        apiError(res);
        return;
      }
      const sent = new Set(batch.map((p) => p.client_id));
      queue = readQueue().filter((p) => !sent.has(p.client_id)); // scans made meanwhile stay
      store(QUEUE_KEY, queue);
    }
  } catch {
    // still offline: try again later
  } finally {
    syncing = false;
    renderNet();
  }
}

// ---- Judging a code --------------------------------------------------------------------------

function direction() {
  return document.querySelector('input[name=direction]:checked')?.value ?? 'in';
}

/** The verdict without the server: signature and expiry here, then the cached status list. */
async function judgeOffline(qrText) {
  const text = qrText.trim();
  if (text.startsWith('HPASS2:') || text.startsWith('HPASS1:')) return judgePassOffline(text);
  if (qrText.trim().startsWith('HC1:')) {
    // A visitor's EU DCC: signature, validity, key usage and the acceptance rule, all here.
    if (!dccList) return { verdict: 'deny', reason: 'OFFLINE_UNVERIFIABLE', message: 'no DSC list cached', colour: null, holder: null, offline: true };
    const r = await verifyDcc(qrText, dccList, Date.now());
    return {
      verdict: r.accepted ? 'allow' : 'deny',
      reason: r.reason,
      message: r.message,
      colour: null,
      holder: null,
      holderHint: r.holder,
      region: r.country,
      dcc: r.kind ? { kind: r.kind, rule_id: r.ruleId, rule_version: r.ruleVersion } : null,
      offline: true,
    };
  }
  let result = trust
    ? await verifyHealthCode(qrText, trust, Date.now())
    : { valid: false, code: 'OFFLINE_UNVERIFIABLE' };
  let region = cfg.region;
  let listedIn = statusMap;
  if (result.code === 'CODE_KEY_UNKNOWN' || result.code === 'CODE_ISSUER_UNKNOWN') {
    // Perhaps a peer region's code: the first peer whose keys know it judges it.
    for (const peer of peers) {
      const r = await verifyHealthCode(qrText, peer.trust, Date.now());
      if (r.code === 'CODE_KEY_UNKNOWN') continue;
      if (Date.now() >= peer.expiresAt) {
        const message = `issued by peer region ${peer.region}, whose trust list expired`;
        return { verdict: 'deny', reason: 'PEER_LIST_STALE', message, colour: null, holder: null, region: peer.region, offline: true };
      }
      result = r;
      region = peer.region;
      listedIn = peer.statusMap;
      break;
    }
  }
  if (!result.valid) {
    const code = result.code === 'CODE_VERIFIER_UNAVAILABLE' ? 'OFFLINE_UNVERIFIABLE' : result.code;
    return { verdict: 'deny', reason: code, message: result.reason, colour: null, holder: null, offline: true };
  }
  const listed = listedIn.get(result.holder);
  const holderHint = `${result.initials} ****${result.documentLast4}`;
  let colour = result.colour;
  let reason = `COLOUR_${colour.toUpperCase()}`;
  if (listed && RANK[listed] > RANK[colour]) {
    colour = listed;
    reason = `STATUS_LIST_${listed.toUpperCase()}`;
  } else if (colour === 'green') {
    reason = 'CODE_VALID';
  }
  const verdict = colour === 'green' ? 'allow' : 'deny';
  return { verdict, reason, colour, holder: result.holder, holderHint, region, offline: true };
}

/** A paper pass without the server: signature and window here, revocation and colour from the status list. */
async function judgePassOffline(text) {
  const deny = (reason, holder = null) => ({ verdict: 'deny', reason, message: null, colour: null, holder, offline: true });
  if (!trust) return deny('OFFLINE_UNVERIFIABLE');
  const pass = await verifyPaperPass(text, trust, Date.now());
  if (!pass.valid) return deny(pass.code);
  if (pass.print < (passPrints.get(pass.holder) ?? 0)) return deny('PASS_REVOKED', pass.holder);
  const colour = statusMap.get(pass.holder) ?? 'green';
  const holderHint = `${pass.initials} ****${pass.documentLast4}`;
  const reason = colour === 'green' ? 'PASS_VALID_OFFLINE' : `STATUS_LIST_${colour.toUpperCase()}`;
  const verdict = colour === 'green' ? 'allow' : 'deny';
  return { verdict, reason, colour, holder: pass.holder, holderHint, region: cfg.region, offline: true };
}

async function judgeAtCheckpoint(qrText) {
  const clientId = crypto.randomUUID();
  const dir = direction();
  const tryServer = navigator.onLine && (reachable || Date.now() - failedAt > RETRY_ONLINE_MS);
  if (tryServer) {
    try {
      const res = await postJson(cfg.scanUrl, { qr_text: qrText, direction: dir, client_id: clientId }, FETCH_TIMEOUT_MS);
      if (res.ok) {
        showVerdict({
          verdict: res.body.verdict,
          reason: res.body.reason,
          message: res.body.message,
          colour: res.body.colour,
          holderHint: res.body.holder_hint,
          region: res.body.region,
          dcc: res.body.dcc,
          declaredOrigin: res.body.declared_origin,
          originInRiskArea: res.body.origin_in_risk_area,
          declaredToday: res.body.declared_today,
        });
        if (readQueue().length > 0) syncQueue();
      } else {
        apiError(res);
      }
      return;
    } catch {
      // unreachable or slow: judge here; if the server did record it, the sync is a no-op
    }
  }
  const v = await judgeOffline(qrText);
  showVerdict(v);
  enqueue({
    client_id: clientId,
    holder_id: v.holder,
    colour: v.colour,
    verdict: v.verdict,
    reason: v.reason.slice(0, 64),
    direction: dir,
    scanned_at: new Date().toISOString(),
  });
}

async function judgeAtVenue(qrText) {
  if (!navigator.onLine) {
    showError(t('scan.online_only'));
    return;
  }
  try {
    const res = await postJson(cfg.scanUrl, { qr_text: qrText }, FETCH_TIMEOUT_MS * 4);
    if (res.ok) {
      showVerdict({
        verdict: res.body.verdict,
        reason: res.body.reason,
        message: res.body.message,
        colour: res.body.colour,
        holderHint: res.body.holder_hint,
        region: res.body.region,
        outcome: res.body.outcome,
      });
    } else {
      apiError(res);
    }
  } catch {
    showError(t('scan.online_only'));
  }
}

/** Gate mode (employers): online only; the measured temperature goes with the code. */
async function judgeAtGate(qrText) {
  if (!navigator.onLine) {
    showError(t('scan.online_only'));
    return;
  }
  const raw = $('temperature').value.trim().replace(',', '.');
  const temperature = raw === '' ? null : Number(raw);
  try {
    const res = await postJson(cfg.scanUrl, { qr_text: qrText, temperature_c: temperature }, FETCH_TIMEOUT_MS * 4);
    if (res.ok) {
      showVerdict({
        verdict: res.body.flagged ? 'deny' : 'allow',
        reason: res.body.reason,
        colour: res.body.colour,
        holderHint: res.body.holder_hint,
        region: res.body.region,
      });
    } else {
      apiError(res);
    }
  } catch {
    showError(t('scan.online_only'));
  }
}

let last = { text: '', at: 0 };
let busy = false;

/** One code read; camera repeats of the same text within REPEAT_MS are dropped. */
async function onCode(text, fromCamera) {
  const qrText = text.trim();
  if (!qrText) return;
  const now = Date.now();
  if (fromCamera) {
    const repeat = qrText === last.text && now - last.at < REPEAT_MS;
    last = { text: qrText, at: now }; // a code held in view keeps being "the same scan"
    if (repeat || busy) return;
  }
  busy = true;
  judgingSince = performance.now();
  try {
    const judge = checkpointMode ? judgeAtCheckpoint : gateMode ? judgeAtGate : judgeAtVenue;
    await judge(qrText);
  } finally {
    busy = false;
  }
}

// ---- Camera ----------------------------------------------------------------------------------

function cameraMessage(key) {
  setLine('camera-msg', key ? t(key) : '');
}

function loadClassicScript(src) {
  return new Promise((resolve, reject) => {
    const s = document.createElement('script');
    s.src = src;
    s.onload = resolve;
    s.onerror = () => reject(new Error(`cannot load ${src}`));
    document.head.append(s);
  });
}

/** A function video -> ImageData | null: the current frame, scaled to at most MAX_DECODE_SIDE. */
function frameReader() {
  const canvas = document.createElement('canvas');
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  return (video) => {
    const w = video.videoWidth;
    const h = video.videoHeight;
    if (!w || !h) return null;
    const scale = Math.min(1, MAX_DECODE_SIDE / Math.max(w, h));
    canvas.width = Math.round(w * scale);
    canvas.height = Math.round(h * scale);
    ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
    return ctx.getImageData(0, 0, canvas.width, canvas.height);
  };
}

/** zxing-wasm's reader, ImageData -> QR text | null; throws if its WebAssembly cannot load. */
async function zxingReader() {
  if (typeof WebAssembly !== 'object') throw new Error('no WebAssembly');
  if (!window.ZXingWASM) await loadClassicScript(ZXING_URL);
  const zxing = window.ZXingWASM;
  // Our copy of the module, never the bundle's default CDN.
  await zxing.prepareZXingModule({
    overrides: { locateFile: (path, prefix) => (path.endsWith('.wasm') ? ZXING_WASM_URL : prefix + path) },
    fireImmediately: true,
  });
  return async (img) => (await zxing.readBarcodes(img, ZXING_OPTIONS)).find((r) => r.isValid)?.text || null;
}

/**
 * A function video -> QR text | null: zxing-wasm (reads 85.5 % of the benchmark's photos against
 * jsQR's 56.7 %); if it cannot load, the native BarcodeDetector if it reads QR, else jsQR.
 * body[data-decoder] names the one in use.
 */
async function makeDecoder() {
  const frame = frameReader();
  try {
    const read = await zxingReader();
    document.body.dataset.decoder = 'zxing-wasm';
    return async (video) => {
      const img = frame(video);
      return img ? read(img) : null;
    };
  } catch (e) {
    console.warn('zxing-wasm could not load; falling back', e);
  }
  if ('BarcodeDetector' in window) {
    try {
      const formats = await window.BarcodeDetector.getSupportedFormats();
      if (formats.includes('qr_code')) {
        const detector = new window.BarcodeDetector({ formats: ['qr_code'] });
        document.body.dataset.decoder = 'native';
        return async (video) => (await detector.detect(video))[0]?.rawValue ?? null;
      }
    } catch {
      // fall through to jsQR
    }
  }
  if (!window.jsQR) await loadClassicScript(JSQR_URL);
  document.body.dataset.decoder = 'jsqr';
  return async (video) => {
    const img = frame(video);
    if (!img) return null;
    return window.jsQR(img.data, img.width, img.height, { inversionAttempts: 'attemptBoth' })?.data || null;
  };
}

let decoderPromise = null;

/** The decoder, made once; started at page load so it is in memory before the network goes. */
function decoder() {
  decoderPromise ??= makeDecoder().catch((e) => {
    decoderPromise = null; // try again later (e.g. when back online)
    throw e;
  });
  return decoderPromise;
}

let scanning = false;
let stream = null;

async function startCamera() {
  const video = $('preview');
  $('camera-start').hidden = true;
  if (!navigator.mediaDevices?.getUserMedia) {
    cameraMessage(window.isSecureContext ? 'scan.camera_missing' : 'scan.camera_insecure');
    return;
  }
  if (!stream?.active) {
    cameraMessage('scan.camera_starting');
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
    } catch (e) {
      const denied = e?.name === 'NotAllowedError';
      cameraMessage(denied ? 'scan.camera_denied' : 'scan.camera_missing');
      // Asking again helps after a refusal; with no camera at all the button would only contradict the message.
      $('camera-start').hidden = !denied;
      return;
    }
    video.srcObject = stream;
    await video.play().catch(() => {});
  }
  let decode;
  try {
    decode = await decoder();
  } catch {
    cameraMessage('scan.decoder_failed');
    $('camera-start').hidden = false;
    return;
  }
  cameraMessage('');
  video.parentElement.classList.add('live');
  if (scanning) return;
  scanning = true;
  const tick = async () => {
    if (!document.hidden && video.readyState >= 2 && !busy) {
      try {
        const text = await decode(video);
        if (text) await onCode(text, true);
      } catch {
        // a bad frame: try the next one
      }
    }
    setTimeout(tick, FRAME_MS);
  };
  tick();
}

// ---- Wiring ----------------------------------------------------------------------------------

decoder().catch(() => {}); // load it now, while online

$('manual').addEventListener('submit', (e) => {
  e.preventDefault();
  const box = $('manual-text');
  onCode(box.value, false).then(() => {
    box.value = '';
    $('verdict').scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  });
});
$('camera-start').addEventListener('click', startCamera);

window.addEventListener('offline', renderNet);
window.addEventListener('online', () => {
  reachable = true;
  renderNet();
  if (!scanning && stream?.active) startCamera(); // the decoder could not load while offline
  if (checkpointMode) refreshLists().then(syncQueue);
});

if (checkpointMode) {
  const saved = load(DIRECTION_KEY);
  const radio = saved && document.querySelector(`input[name=direction][value="${saved === 'out' ? 'out' : 'in'}"]`);
  if (radio) radio.checked = true;
  for (const r of document.querySelectorAll('input[name=direction]')) {
    r.addEventListener('change', () => store(DIRECTION_KEY, direction()));
  }
  $('sync-now').addEventListener('click', syncQueue);
  await loadCachedLists();
  renderAges();
  renderNet();
  refreshLists().then(syncQueue);
  setInterval(() => refreshLists().then(syncQueue), REFRESH_MS);
  setInterval(() => {
    if (readQueue().length > 0) syncQueue();
    renderAges();
  }, SYNC_RETRY_MS);
} else {
  renderNet();
}
// Installable and offline from a cold start: the service worker keeps this page and its files.
if ('serviceWorker' in navigator && window.isSecureContext) {
  navigator.serviceWorker
    .register('/sw.js')
    .then(() => navigator.serviceWorker.ready)
    .then(
      (registration) =>
        new Promise((resolve) => {
          const channel = new MessageChannel();
          channel.port1.onmessage = (e) => resolve(e.data?.kept === true);
          registration.active.postMessage({ keep: location.pathname }, [channel.port2]);
        }),
    )
    .then((kept) => {
      if (!kept) return;
      $('offline-ready').hidden = false;
      document.body.dataset.offlineReady = 'true';
    })
    .catch(() => {}); // no worker (private mode, an old browser): the page still works online
}
document.body.dataset.scannerReady = 'true';
startCamera();
