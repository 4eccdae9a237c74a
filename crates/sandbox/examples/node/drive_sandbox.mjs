#!/usr/bin/env node
// Drive `offerkit sandbox serve` from Node 18+ (built-in fetch, no packages).
//
//     offerkit sandbox serve --port 8787 &
//     node drive_sandbox.mjs http://127.0.0.1:8787
//
// Seeds an Appcharge offer, injects one throttling fault, deletes the offer (the first DELETE gets the
// 429 with Retry-After, the retry succeeds), checks it is gone, and reads the journal's counters.
// Exits 1 with a message when the sandbox answers something else. Tested by tests/it/sandbox_languages.rs.

const ROOT = (process.argv[2] ?? "http://127.0.0.1:8787").replace(/\/+$/, "");
const TOKEN = "node-example-token"; // any non-empty publisher token works unless the sandbox restricts them

/** One request; resolves to { status, headers, body } (body parsed as JSON, or null when empty). */
async function call(method, path, body, headers = {}) {
  const response = await fetch(ROOT + path, {
    method,
    headers: { "content-type": "application/json", ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text.trim() ? JSON.parse(text) : null };
}

function expect(condition, message) {
  if (!condition) {
    console.error(`FAILED: ${message}`);
    process.exit(1);
  }
}

const health = await call("GET", "/_sandbox/health");
expect(health.status === 200 && health.body?.status === "ok", `health: ${health.status}`);
// A clean slate for this run: no faults, an empty journal (stored resources are kept).
await call("DELETE", "/_sandbox/faults");
await call("DELETE", "/_sandbox/journal");

// 1. Seed (merge by id): one offer.
const seed = { appcharge: { offers: [{ publisherOfferId: "starter-pack", name: "Starter pack", type: "Bundle" }] } };
const seeded = await call("POST", "/_sandbox/seed", seed);
expect(seeded.status === 200, `seed answered ${seeded.status}`);

// 2. Fault: the next DELETE of any offer is throttled (429, Retry-After, Appcharge's error body).
const fault = {
  method: "DELETE", path: "/v2/offer/*", mode: { nextN: 1 },
  fault: { kind: "throttle", retryAfterSeconds: 1 },
};
const added = await call("POST", "/_sandbox/faults", fault);
expect(added.status === 200 || added.status === 201, `fault answered ${added.status}`);

// 3. Call the vendor endpoint, as a client with one retry would.
const auth = { "x-publisher-token": TOKEN };
const first = await call("DELETE", "/v2/offer/starter-pack", undefined, auth);
expect(first.status === 429 && first.headers.get("retry-after") === "1", `first DELETE: ${first.status}`);
console.log(`first DELETE: ${first.status}, Retry-After ${first.headers.get("retry-after")}: ${first.body.errorMessage}`);
const retry = await call("DELETE", "/v2/offer/starter-pack", undefined, auth);
expect(retry.status === 200 && retry.body.publisherOfferId === "starter-pack", `retry: ${retry.status}`);
console.log(`retried DELETE: ${retry.status}, deleted ${retry.body.publisherOfferId}`);
const readBack = await call("GET", "/v2/offer/starter-pack", undefined, auth);
expect(readBack.status === 404, `read-back answered ${readBack.status}, not 404`);

// 4. The journal: two DELETEs reached the server, one was handled (the fault answered the first).
const journal = (await call("GET", "/_sandbox/journal?method=DELETE")).body;
const key = "DELETE /v2/offer/starter-pack";
const requested = journal.counts.byPath[key];
const acted = journal.counts.actedByPath[key];
expect(requested === 2 && acted === 1, `journal counts ${requested} requested, ${acted} acted`);
console.log(`journal: ${requested} DELETEs, ${acted} acted; faults ${JSON.stringify(journal.entries.map((e) => e.fault ?? null))}`);
console.log("node example: ok");
