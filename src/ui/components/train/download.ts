/**
 * Saves bytes produced in the worker as a file download (Blob + object URL + a temporary link). The URL is revoked
 * after the browser has taken the file, so a checkpoint is never held twice in page memory for long.
 */
export function downloadFile(name: string, bytes: ArrayBuffer, mime: string): void {
  const url = URL.createObjectURL(new Blob([bytes], { type: mime }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.rel = 'noopener';
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
}
