/**
 * Credentials written in plain text in a stack file (any namespace): found by what the value looks
 * like (provider token formats, PEM private keys, JWTs, URLs with a password) or by a key that names
 * a credential (`password`, `secret`, `token`, ...). Problems never echo the value; `redact` removes
 * every found value from any text the parser prints.
 */
import { decodeConfigValue, type ConfigProblem } from "../rules/problems";

/** What a value looks like, and the pattern that finds it inside a longer string. */
const VALUE_PATTERNS: readonly { readonly what: string; readonly re: RegExp }[] = [
  // IAM access key ids: AKIA long-term, ASIA temporary (STS), ABIA/ACCA service bearer/context keys.
  { what: "an AWS access key id", re: /(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Z0-9])/g },
  { what: "a GitHub token", re: /(?<![A-Za-z0-9_])gh[pousr]_[A-Za-z0-9]{30,255}(?![A-Za-z0-9_])/g },
  { what: "a GitHub fine-grained token", re: /(?<![A-Za-z0-9_])github_pat_[A-Za-z0-9_]{22,255}/g },
  { what: "a GitLab token", re: /(?<![A-Za-z0-9_])glpat-[A-Za-z0-9_-]{20,}/g },
  { what: "a Slack token", re: /(?<![A-Za-z0-9])xox[abposre]-[A-Za-z0-9-]{10,}/g },
  { what: "a Slack app token", re: /(?<![A-Za-z0-9])xapp-\d-[A-Za-z0-9-]{10,}/g },
  {
    what: "a Slack webhook URL",
    re: /https:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9/_-]{20,}/g,
  },
  { what: "a Pulumi access token", re: /(?<![A-Za-z0-9])pul-[a-f0-9]{40}(?![a-f0-9])/g },
  { what: "a Google API key", re: /(?<![A-Za-z0-9_-])AIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])/g },
  { what: "an npm token", re: /(?<![A-Za-z0-9_])npm_[A-Za-z0-9]{36}(?![A-Za-z0-9])/g },
  { what: "a Stripe secret key", re: /(?<![A-Za-z0-9_])[sr]k_live_[A-Za-z0-9]{16,}/g },
  { what: "an OpenAI/Anthropic API key", re: /(?<![A-Za-z0-9_-])sk-(?:proj-|ant-)?[A-Za-z0-9_-]{32,}/g },
  {
    what: "a private key",
    re: new RegExp(
      /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?/.source +
        /(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|$)/.source,
      "g",
    ),
  },
  // Free text that says what it holds: `password=...`, `token: ...`, `"secret":"..."` (an allowReplace
  // reason, a description); not a type name such as `aws:secretsmanager/secret:Secret::name` in a URN.
  {
    what: "a credential after a password, secret or token label",
    re: new RegExp(
      // the label, then `=`, `:` or `":`, then the value
      /(?<![A-Za-z0-9_])/.source +
        /(?:password|passwd|passphrase|pwd|secret|token|api[_-]?key|access[_-]?key|client[_-]?secret)/.source +
        /(?:[ \t]{0,3}=[ \t]{0,3}|:[ \t]{1,3}|["']:[ \t]{0,3})/.source +
        /["']?(?![[(:=/])[^\s"',;]{6,}/.source,
      "gi",
    ),
  },
  { what: "a JSON Web Token", re: /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g },
];

const isLetter = (c: string) => (c >= "A" && c <= "Z") || (c >= "a" && c <= "z");
const isSchemeChar = (c: string) => isLetter(c) || (c >= "0" && c <= "9") || c === "+" || c === "." || c === "-";
const isSpace = (c: string) => /\s/.test(c);

/**
 * user:password@ in any URL (the user part alone is not a secret, the password is): the matches of
 * /[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/\s:@]*:[^/\s@]+@[^\s]+/g, found in one pass. As a regular
 * expression every start inside a long run of letters rescans the run (100 KB took seconds); here each
 * "://" is looked at once, and each scan stops at the next "/" or ":", so no character is read more
 * than a few times.
 */
export function urlsWithPassword(value: string): string[] {
  const out: string[] = [];
  const n = value.length;
  let from = 0;
  let q = value.indexOf("://");
  while (q !== -1) {
    // The scheme: the run of scheme characters ending at "://", from its first letter.
    let r = q;
    while (r > from && isSchemeChar(value[r - 1]!)) r--;
    while (r < q && !isLetter(value[r]!)) r++;
    if (r < q) {
      let u = q + 3; // the user part ends at ":" (then the password), "/", "@" or a space
      while (u < n && !"/:@".includes(value[u]!) && !isSpace(value[u]!)) u++;
      if (value[u] === ":") {
        let v = u + 1; // the password ends at "@" (then the host), "/" or a space
        while (v < n && !"/@".includes(value[v]!) && !isSpace(value[v]!)) v++;
        if (v > u + 1 && value[v] === "@") {
          let w = v + 1;
          while (w < n && !isSpace(value[w]!)) w++;
          if (w > v + 1) {
            out.push(value.slice(r, w));
            from = w;
            q = value.indexOf("://", w);
            continue;
          }
        }
      }
    }
    q = value.indexOf("://", q + 1);
  }
  return out;
}

/** Key names that say the value is a credential (the last segment of the key, any case). */
const SECRET_NAME_RE = new RegExp(
  "(password|passwd|passphrase|secret|token|apikey|api_key|api-key|accesskey|access_key|privatekey|private_key|" +
    "credential|clientsecret|authkey|auth_key|webhookurl)",
  "i",
);
/** ...unless the key names a reference to one, a flag or a setting about it. */
const NOT_A_SECRET_NAME_RE = new RegExp(
  "(name|names|arn|arns|id|ids|ref|file|files|path|provider|length|ttl|lifetime|rotation|rotationdays|count|enabled|" +
    "mode|type|format|header|version|endpoint|region|validation|bucket|capacity|ratelimitercapacity)$" +
    "|^(skip|use|enable|disable|allow|ignore|require|existing)",
  "i",
);

/** Shannon entropy in bits per character. */
function entropy(s: string): number {
  const counts = new Map<string, number>();
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) h -= (n / s.length) * Math.log2(n / s.length);
  return h;
}

/**
 * An AWS secret access key: 40 characters of base64, mixed case and digits, random-looking, and
 * either the whole value (at most two "/", unlike a path) or right after `secret...=`/`:` in it.
 * Without that context a 40-character run inside an ARN or a path would look the same.
 */
const AWS_SECRET_CANDIDATE_RE = /(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g;
const AWS_SECRET_CONTEXT_RE = /(secret|aws_secret_access_key|secretaccesskey)["']?\s*[=:]\s*["']?$/i;
function awsSecretKeys(value: string): string[] {
  return [...value.matchAll(AWS_SECRET_CANDIDATE_RE)]
    .filter((m) => {
      const s = m[0];
      // 4.35 bits/char: 99.9% of random 40-character keys are above it, CamelCase names (~4.2) below;
      // four or more Capitalised words (Infra, Deploy, Admin, ...) make it a name, not a key.
      const randomLooking =
        /[A-Z]/.test(s) &&
        /[a-z]/.test(s) &&
        /\d/.test(s) &&
        !/^[0-9a-fA-F]+$/.test(s) &&
        entropy(s) >= 4.35 &&
        (s.match(/[A-Z][a-z]{4,}/g) ?? []).length < 4;
      const whole = value.trim() === s && (s.match(/\//g) ?? []).length <= 2;
      // The context is what just precedes the key (a bounded window: the whole prefix made this quadratic).
      return randomLooking && (whole || AWS_SECRET_CONTEXT_RE.test(value.slice(Math.max(0, m.index - 256), m.index)));
    })
    .map((m) => m[0]);
}

export interface SecretFinding {
  /** What the value looks like (never the value). */
  readonly what: string;
  /** The secret substrings, for redaction. */
  readonly tokens: readonly string[];
}

/**
 * Findings by text: the scan is a function of the text alone, and a process that writes many plans (a
 * test worker, `--base`) meets the same strings again. Long texts are scanned afresh (not kept).
 */
const scanned = new Map<string, readonly SecretFinding[]>();
const MAX_SCANNED = 50_000;
const MAX_KEPT_LENGTH = 4096;

/** The credentials inside a string value, by their look (the same frozen list for the same text). */
export function secretsInValue(value: string): readonly SecretFinding[] {
  const known = scanned.get(value);
  if (known) return known;
  const found = scan(value);
  if (value.length <= MAX_KEPT_LENGTH) {
    if (scanned.size >= MAX_SCANNED) scanned.clear();
    scanned.set(value, found);
  }
  return found;
}

function scan(value: string): readonly SecretFinding[] {
  const out: SecretFinding[] = [];
  for (const { what, re } of VALUE_PATTERNS) {
    const tokens = [...value.matchAll(re)].map((m) => m[0]);
    if (tokens.length) out.push({ what, tokens });
  }
  const urls = urlsWithPassword(value);
  if (urls.length) out.push({ what: "a URL with a password", tokens: urls });
  const aws = awsSecretKeys(value);
  if (aws.length) out.push({ what: "an AWS secret access key", tokens: aws });
  for (const f of out) Object.freeze(Object.freeze(f).tokens);
  return Object.freeze(out);
}

/** Whether the last segment of a key names a credential (so any non-trivial value is one). */
function isSecretKeyName(key: string): boolean {
  const last =
    key
      .split(/[:.]/)
      .filter((s) => s !== "")
      .pop() ?? "";
  return SECRET_NAME_RE.test(last) && !NOT_A_SECRET_NAME_RE.test(last);
}

/** Values that carry no secret even under a credential-named key (numbers too, unless it is a password/PIN). */
const TRIVIAL_VALUE_RE = /^(true|false|yes|no|on|off|null|none|~|\[secret\])$/i;
const isTrivial = (key: string, value: string): boolean =>
  TRIVIAL_VALUE_RE.test(value) || (/^-?\d+(\.\d+)?$/.test(value) && !/pass|pin$/i.test(key.split(/[:.]/).pop() ?? ""));

/** Walks a decoded config value: every string leaf with its dotted key. */
function* leaves(key: string, value: unknown, depth = 0): Generator<{ key: string; value: string }> {
  if (depth > 64) return;
  if (typeof value === "string") yield { key, value };
  else if (Array.isArray(value)) for (const [i, v] of value.entries()) yield* leaves(`${key}[${i}]`, v, depth + 1);
  else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      if (k === "secure" && Object.keys(value).length === 1) continue; // an encrypted value
      yield* leaves(`${key}.${k}`, v, depth + 1);
    }
  }
}

/** `pulumi config set --secret` for a key (with `--path` for a value inside a structured key). */
function secretFix(key: string, namespaceKey: string): string {
  const set =
    key === namespaceKey
      ? `pulumi config set --secret ${key} <value>`
      : `pulumi config set --secret --path '${key}' <value>`;
  const rotate = "rotate the credential: it has been in the file in plain text";
  return namespaceKey.startsWith("infrasage:")
    ? `remove it and ${rotate}; InfraSage settings hold no credentials ` +
        `(were it one, it would be ${set}, which the offline plan cannot read)`
    : `store it encrypted with ${set} (it replaces the plain value), and ${rotate}`;
}

/**
 * Problems for every plain-text credential in the raw config (`secretKeys`: keys Pulumi already
 * holds encrypted, skipped), and every secret substring found (for `redact`).
 */
export function plainTextSecrets(
  raw: Readonly<Record<string, string>>,
  secretKeys: readonly string[] = [],
): { problems: ConfigProblem[]; tokens: string[] } {
  const problems: ConfigProblem[] = [];
  const tokens: string[] = [];
  for (const [fullKey, rawValue] of Object.entries(raw)) {
    if (secretKeys.includes(fullKey) || rawValue === "[secret]") continue;
    // A credential used as a key name.
    const inKey = secretsInValue(fullKey);
    if (inKey.length) {
      tokens.push(...inKey.flatMap((f) => f.tokens));
      problems.push({
        key: fullKey,
        message: `is a key name holding what looks like ${inKey[0]!.what} (not shown)`,
        fix: "remove that key from the stack file and rotate the credential",
      });
    }
    for (const leaf of leaves(fullKey, decodeConfigValue(rawValue))) {
      const found = secretsInValue(leaf.value);
      const named = isSecretKeyName(leaf.key) && leaf.value.trim() !== "" && !isTrivial(leaf.key, leaf.value.trim());
      if (!found.length && !named) continue;
      tokens.push(...found.flatMap((f) => f.tokens));
      if (named) tokens.push(leaf.value);
      const what = found[0]?.what ?? "a credential (the key names one)";
      problems.push({
        key: leaf.key,
        message: `holds ${what} in plain text (value not shown)`,
        fix: secretFix(leaf.key, fullKey),
      });
    }
  }
  return { problems, tokens: [...new Set(tokens.filter((t) => t.length > 0))] };
}

/** Replaces every secret token (raw, and as JSON escapes it) in a text. */
export function redact(text: string, tokens: readonly string[]): string {
  let out = text;
  for (const t of [...tokens].sort((a, b) => b.length - a.length)) {
    for (const form of new Set([t, JSON.stringify(t).slice(1, -1), t.trim()])) {
      if (form.length >= 4) out = out.split(form).join("[redacted]");
    }
  }
  return out;
}
