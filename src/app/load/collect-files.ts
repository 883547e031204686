/**
 * Turn what the user dropped or picked into `InputFile`s: plain files, and folders walked recursively
 * (DataTransferItem.webkitGetAsEntry) with their relative paths kept, so a dropped 10x folder loads as one
 * dataset. Hidden files (.DS_Store and the like) are skipped.
 */
import { inputFileFromFile, type InputFile } from '../../io/input-file.ts';

function isHidden(name: string): boolean {
  return name.startsWith('.');
}

function fileOf(entry: FileSystemFileEntry): Promise<File> {
  return new Promise((resolve, reject) => entry.file(resolve, reject));
}

async function readAllEntries(dir: FileSystemDirectoryEntry): Promise<FileSystemEntry[]> {
  const reader = dir.createReader();
  const all: FileSystemEntry[] = [];
  // readEntries returns the listing in batches; an empty batch marks the end.
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) =>
      reader.readEntries(resolve, reject),
    );
    if (batch.length === 0) return all;
    all.push(...batch);
  }
}

async function walk(entry: FileSystemEntry, out: InputFile[]): Promise<void> {
  if (isHidden(entry.name)) return;
  const relativePath = entry.fullPath.replace(/^\/+/, '') || entry.name;
  if (entry.isFile) {
    out.push(inputFileFromFile(await fileOf(entry as FileSystemFileEntry), relativePath));
  } else if (entry.isDirectory) {
    const children = await readAllEntries(entry as FileSystemDirectoryEntry);
    children.sort((a, b) => a.name.localeCompare(b.name));
    for (const child of children) await walk(child, out);
  }
}

/** Files from a drop event. Entries must be taken synchronously, before the first await. */
export async function filesFromDataTransfer(dt: DataTransfer): Promise<InputFile[]> {
  const entries: FileSystemEntry[] = [];
  const loose: File[] = [];
  for (const item of Array.from(dt.items)) {
    if (item.kind !== 'file') continue;
    const entry = item.webkitGetAsEntry?.() ?? null;
    if (entry) entries.push(entry);
    else {
      const file = item.getAsFile();
      if (file) loose.push(file);
    }
  }
  if (entries.length === 0 && loose.length === 0) loose.push(...Array.from(dt.files));
  const out: InputFile[] = [];
  for (const entry of entries) await walk(entry, out);
  for (const file of loose) if (!isHidden(file.name)) out.push(inputFileFromFile(file));
  return out;
}

/** Files from an `<input type=file>` (with `webkitRelativePath` set when a folder was chosen). */
export function filesFromFileList(list: FileList | null): InputFile[] {
  return Array.from(list ?? [])
    .filter((f) => !isHidden(f.name))
    .map((f) => inputFileFromFile(f));
}
