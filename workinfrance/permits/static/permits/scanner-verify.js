// The permit seal and the revocation list, verified in the browser (docs/permits.md, DESIGN §4).
// Same rules as workinfrance/permits/seal.py and revocations.py: COSE_Sign1 (tag 18) with ES256,
// the key chosen by kid among the published JWKS, the algorithm bound to the key; one encoding only
// (strict Base32, RFC 8949 deterministic CBOR, low-S signature): any changed byte is refused.
import { decode, encode, rfc8949EncodeOptions, Tagged } from "../vendor/cborg/cborg.js";

const COSE_SIGN1_TAG = 18;
const HEADER_ALG = 1;
const HEADER_KID = 4;
const ES256 = -7;
const KID_LENGTH = 8;
const SIGNATURE_LENGTH = 64;
const CLAIM_ISS = 1, CLAIM_EXP = 4, CLAIM_IAT = 6, CLAIM_CTI = 7;
const PERMIT_CLAIM = -65537;
const REVOKED_CLAIM = -65538;
const MAX_SEAL_BYTES = 2048;
const MAX_LIST_BYTES = 4 * 1024 * 1024;
const MAX_QR_TEXT = 4296;
const QR_PATH = "/V/";
// Order of the P-256 group: s above half of it is the "high-S" twin of a valid signature.
const P256_ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const FIELD_TYPES = ["int", "str", "str", "str", "int", "str", "str", "str", "int", "int", "int"];
const DAY_MS = 86400000;

export class SealError extends Error {
  constructor(kind, message) {
    super(message);
    this.kind = kind; // "malformed" | "not_genuine" | "stale"
  }
}
const malformed = (message) => new SealError("malformed", message);
const notGenuine = (message) => new SealError("not_genuine", message);

const DECODE_OPTIONS = {
  strict: true, // shortest form of every integer and length
  useMaps: true,
  rejectDuplicateMapKeys: true,
  allowIndefinite: false,
  allowUndefined: false,
  allowInfinity: false,
  allowNaN: false,
  tags: Tagged.preserve(COSE_SIGN1_TAG),
};

function sameBytes(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

// Decode, then insist that the data is the one deterministic encoding of what it holds (map keys in
// bytewise order included): re-encoding must give the very same bytes.
export function strictDecode(bytes) {
  let value, again;
  try {
    value = decode(bytes, DECODE_OPTIONS);
    again = encode(value, rfc8949EncodeOptions);
  } catch (error) {
    throw malformed(`not valid CBOR (${error.message})`);
  }
  if (!sameBytes(again, bytes)) throw malformed("not canonical CBOR");
  return value;
}

const isInt = (value) => typeof value === "number" && Number.isInteger(value);
const isBytes = (value) => value instanceof Uint8Array;
const isMap = (value) => value instanceof Map;
const keysAre = (map, keys) => map.size === keys.length && keys.every((key) => map.has(key));

export function base32Decode(text) {
  if (!/^[A-Z2-7]+$/.test(text) || [1, 3, 6].includes(text.length % 8)) throw malformed("not Base32");
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  const out = new Uint8Array(Math.floor((text.length * 5) / 8));
  let buffer = 0, bits = 0, index = 0;
  for (const char of text) {
    buffer = (buffer << 5) | alphabet.indexOf(char);
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out[index++] = (buffer >> bits) & 0xff;
    }
    buffer &= (1 << bits) - 1;
  }
  if (buffer !== 0) throw malformed("not canonical Base32"); // unused low bits must be zero
  return out;
}

export function sealFromQrText(text) {
  if (typeof text !== "string" || text.length > MAX_QR_TEXT) throw malformed("not a seal");
  text = text.trim();
  const at = text.lastIndexOf(QR_PATH);
  if (at >= 0) text = text.slice(at + QR_PATH.length);
  return base32Decode(text);
}

function bytesToBigInt(bytes) {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return value;
}

function b64urlDecode(text) {
  if (typeof text !== "string" || !/^[A-Za-z0-9_-]*$/.test(text)) throw new Error("bad base64url");
  const padded = text.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (text.length % 4)) % 4);
  return Uint8Array.from(atob(padded), (char) => char.charCodeAt(0));
}

const hex = (bytes) => Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");

// The published keys by kid (hex). As jwks.py: only ES256 on P-256, and the kid must be the one
// derived from the key (first 8 bytes of the SHA-256 of its SubjectPublicKeyInfo).
export async function keysFromJwks(document) {
  if (!document || !Array.isArray(document.keys)) throw new Error("not a JWKS document");
  const keys = new Map();
  for (const jwk of document.keys) {
    if (jwk.kty !== "EC" || jwk.crv !== "P-256" || jwk.alg !== "ES256") continue;
    const kid = b64urlDecode(jwk.kid);
    const key = await crypto.subtle.importKey(
      "jwk",
      { kty: "EC", crv: "P-256", x: jwk.x, y: jwk.y, ext: true },
      { name: "ECDSA", namedCurve: "P-256" },
      true,
      ["verify"],
    );
    const spki = new Uint8Array(await crypto.subtle.exportKey("spki", key));
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", spki));
    if (kid.length !== KID_LENGTH || !sameBytes(digest.slice(0, KID_LENGTH), kid)) continue;
    keys.set(hex(kid), { key, alg: "ES256" });
  }
  return keys;
}

// The payload of a COSE_Sign1 message whose signature checks out under the key its kid names.
export async function verifyPayload(bytes, keys, maxBytes = MAX_SEAL_BYTES) {
  if (!isBytes(bytes) || bytes.length > maxBytes) throw malformed("not a seal");
  const message = strictDecode(bytes);
  if (!(message instanceof Tagged && message.tag === COSE_SIGN1_TAG && Array.isArray(message.value) && message.value.length === 4)) {
    throw malformed("not a COSE_Sign1 message");
  }
  const [protectedBytes, unprotected, payload, signature] = message.value;
  if (!(isBytes(protectedBytes) && isBytes(payload) && isBytes(signature) && isMap(unprotected) && unprotected.size === 0)) {
    throw malformed("bad COSE_Sign1 structure");
  }
  const header = strictDecode(protectedBytes);
  if (!(isMap(header) && keysAre(header, [HEADER_ALG, HEADER_KID]))) throw malformed("protected header must hold exactly alg and kid");
  const alg = header.get(HEADER_ALG), kid = header.get(HEADER_KID);
  if (!(isBytes(kid) && kid.length === KID_LENGTH && isInt(alg))) throw malformed("bad kid or alg");
  const entry = keys.get(hex(kid));
  if (!entry) throw notGenuine(`unknown key ${hex(kid)}`);
  if (entry.alg !== "ES256" || alg !== ES256) throw notGenuine("algorithm does not match the key");
  if (signature.length !== SIGNATURE_LENGTH) throw notGenuine("signature must be 64 bytes");
  if (bytesToBigInt(signature.slice(32)) > P256_ORDER / 2n) throw notGenuine("high-S signature");
  const signed = encode(["Signature1", protectedBytes, new Uint8Array(0), payload], rfc8949EncodeOptions);
  // WebCrypto takes ECDSA signatures as raw r || s, exactly as COSE carries them.
  const ok = await crypto.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, entry.key, signature, signed);
  if (!ok) throw notGenuine("bad signature");
  return payload;
}

const dayToIso = (days) => new Date(days * DAY_MS).toISOString().slice(0, 10);

export function claimsDecode(payload) {
  const claims = strictDecode(payload);
  if (!(isMap(claims) && keysAre(claims, [CLAIM_ISS, CLAIM_EXP, CLAIM_IAT, CLAIM_CTI, PERMIT_CLAIM]))) {
    throw malformed("unexpected claims");
  }
  const fields = claims.get(PERMIT_CLAIM);
  if (!isMap(fields) || fields.get(0) !== 1) throw malformed("unknown permit claim version");
  const wanted = FIELD_TYPES.map((_, index) => index);
  if (!keysAre(fields, wanted) || !FIELD_TYPES.every((type, index) => (type === "int" ? isInt(fields.get(index)) : typeof fields.get(index) === "string"))) {
    throw malformed("bad permit claim fields");
  }
  const iss = claims.get(CLAIM_ISS), exp = claims.get(CLAIM_EXP), iat = claims.get(CLAIM_IAT), cti = claims.get(CLAIM_CTI);
  if (!(typeof iss === "string" && isInt(exp) && isInt(iat) && isBytes(cti) && cti.length === 16)) throw malformed("bad CWT claims");
  return {
    issuer: iss,
    issuedAt: iat,
    expiresAt: exp,
    permitId: hex(cti),
    number: fields.get(1),
    lastName: fields.get(2),
    firstName: fields.get(3),
    birthDate: dayToIso(fields.get(4)),
    employerName: fields.get(5),
    employerSiret: fields.get(6),
    category: fields.get(7),
    weeklyHours: fields.get(8) / 10,
    validFrom: dayToIso(fields.get(9)),
    validUntil: dayToIso(fields.get(10)),
  };
}

export async function revocationListVerify(bytes, keys, nowSeconds) {
  const payload = await verifyPayload(bytes, keys, MAX_LIST_BYTES);
  const claims = strictDecode(payload);
  if (!(isMap(claims) && keysAre(claims, [CLAIM_ISS, CLAIM_EXP, CLAIM_IAT, REVOKED_CLAIM]))) throw malformed("not a revocation list");
  const producedAt = claims.get(CLAIM_IAT), renewBy = claims.get(CLAIM_EXP), ctis = claims.get(REVOKED_CLAIM);
  if (!(typeof claims.get(CLAIM_ISS) === "string" && isInt(producedAt) && isInt(renewBy) && Array.isArray(ctis))) {
    throw malformed("bad revocation list claims");
  }
  const revoked = new Set();
  let previous = "";
  for (const cti of ctis) {
    if (!(isBytes(cti) && cti.length === 16)) throw malformed("bad cti in the revocation list");
    const id = hex(cti);
    if (id <= previous) throw malformed("revocation list not in strictly ascending order");
    revoked.add(id);
    previous = id;
  }
  if (nowSeconds >= renewBy) throw new SealError("stale", "revocation list past its renew-by time");
  if (producedAt > nowSeconds + 300) throw new SealError("stale", "revocation list produced in the future");
  return { producedAt, renewBy, revoked };
}

// Today in the service's time zone, as days since 1970-01-01 (validity dates are Paris days).
function parisDay(now) {
  const iso = new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Paris" }).format(now);
  return Math.round(Date.parse(`${iso}T00:00:00Z`) / DAY_MS);
}

// The verdict of a QR text, offline: "valid", "not_yet_in_force", "expired", "revoked",
// "not_genuine", "malformed", or "status_unknown" (genuine and in its dates, but no usable list).
export async function verdictOf(text, keys, revocations, now = new Date()) {
  let claims;
  try {
    claims = claimsDecode(await verifyPayload(sealFromQrText(text), keys));
  } catch (error) {
    if (error instanceof SealError) return { verdict: error.kind, reason: error.message };
    throw error;
  }
  const today = parisDay(now);
  let verdict;
  if (revocations && revocations.revoked.has(claims.permitId)) verdict = "revoked";
  else if (now.getTime() >= claims.expiresAt * 1000) verdict = "expired";
  else if (!revocations) verdict = "status_unknown";
  else if (today < Math.round(Date.parse(`${claims.validFrom}T00:00:00Z`) / DAY_MS)) verdict = "not_yet_in_force";
  else verdict = "valid";
  return { verdict, claims };
}
