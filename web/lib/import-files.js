// What the admin chose to import, as files with their paths: a file picker's selection (a folder
// picker gives each file its webkitRelativePath) or a drop (folders walked through their entries).

/**
 * @typedef {{file: File, path: string}} ChosenFile
 */

/**
 * The files of a file input's selection, with folder-relative paths when a folder was chosen.
 * @param {FileList | File[]} list
 * @returns {ChosenFile[]}
 */
export function chosenFiles(list) {
  return [...list].map((file) => ({ file, path: file.webkitRelativePath || file.name }));
}

/** Every entry of a directory (readEntries returns them in batches until an empty one). */
function readAllEntries(directory) {
  const reader = directory.createReader();
  const entries = [];
  return new Promise((resolve, reject) => {
    const next = () =>
      reader.readEntries((batch) => {
        if (batch.length === 0) resolve(entries);
        else {
          entries.push(...batch);
          next();
        }
      }, reject);
    next();
  });
}

/** The File of a file entry. */
function entryFile(entry) {
  return new Promise((resolve, reject) => entry.file(resolve, reject));
}

/**
 * The files of a drop: dropped folders are walked (hidden ones such as .git left out), so an
 * EntraExporter export can be dropped as its folder.
 * @param {DataTransfer} transfer
 * @returns {Promise<ChosenFile[]>}
 */
export async function droppedFiles(transfer) {
  const entries = [...(transfer.items || [])]
    .filter((item) => item.kind === 'file')
    .map((item) => (typeof item.webkitGetAsEntry === 'function' ? item.webkitGetAsEntry() : null));
  if (entries.length === 0 || entries.some((e) => !e)) return chosenFiles(transfer.files || []);
  const out = [];
  const walk = async (entry) => {
    if (entry.name.startsWith('.')) return;
    if (entry.isDirectory) {
      for (const child of await readAllEntries(entry)) await walk(child);
    } else if (entry.isFile) {
      out.push({ file: await entryFile(entry), path: entry.fullPath.replace(/^\//, '') });
    }
  };
  for (const entry of entries) await walk(entry);
  return out;
}

/**
 * A short name for a selection: the file's name, or the chosen folder's ("EntraBackup (15 files)").
 * @param {ChosenFile[]} chosen
 */
export function selectionName(chosen) {
  if (chosen.length === 1) return chosen[0].file.name;
  const tops = new Set(chosen.map((c) => (c.path.includes('/') ? c.path.split('/')[0] : '')));
  const top = tops.size === 1 ? [...tops][0] : '';
  return `${top || 'the files'} (${chosen.length} files)`;
}
