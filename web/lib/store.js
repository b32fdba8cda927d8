// Browser persistence of the tenant: the base (the sample, or the bytes of an imported document) plus
// the log of every mutating engine call made since. Replaying the log on the same engine rebuilds the
// same tenant, audit log included, after a reload. Reset clears both.

const DB_NAME = 'gbl-console';
const STORE = 'tenant';

function openDb() {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function tx(mode, fn) {
  const db = await openDb();
  try {
    return await new Promise((resolve, reject) => {
      const t = db.transaction(STORE, mode);
      const store = t.objectStore(STORE);
      let result;
      Promise.resolve(fn(store)).then((r) => { result = r; });
      t.oncomplete = () => resolve(result);
      t.onerror = () => reject(t.error);
      t.onabort = () => reject(t.error);
    });
  } finally {
    db.close();
  }
}

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

/** Reads `{base, ops}` or null when nothing is stored. `base`: {kind:'sample'} | {kind:'document', name, bytes} | {kind:'files', name, files: [{path, blob}]} | {kind:'file', name, file: Blob}. */
export async function loadState() {
  try {
    return await tx('readonly', async (store) => {
      const base = await request(store.get('base'));
      const ops = await request(store.get('ops'));
      if (!base) return null;
      return { base, ops: Array.isArray(ops) ? ops : [] };
    });
  } catch (err) {
    console.warn('Stored tenant could not be read', err);
    return null;
  }
}

/** Replaces the stored base and clears the log. */
export async function saveBase(base, ops = []) {
  await tx('readwrite', (store) => {
    store.put(base, 'base');
    store.put(ops, 'ops');
  });
}

/** Writes the whole log (small JSON batches; the base bytes are not rewritten). */
export async function saveOps(ops) {
  await tx('readwrite', (store) => {
    store.put(ops, 'ops');
  });
}

/** Forgets everything stored. */
export async function clearState() {
  await tx('readwrite', (store) => {
    store.clear();
  });
}

/** Reads the staged plan (`{changes: [...]}`), or null. */
export async function loadPlan() {
  try {
    return await tx('readonly', (store) => request(store.get('plan')));
  } catch (err) {
    console.warn('Stored plan could not be read', err);
    return null;
  }
}

/** Writes the staged plan (small: Graph requests and their titles). */
export async function savePlan(plan) {
  await tx('readwrite', (store) => {
    store.put(plan, 'plan');
  });
}
