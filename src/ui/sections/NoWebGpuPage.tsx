/** Shown instead of the studio when the browser offers no WebGPU adapter: why, and exactly what to do. */
export function NoWebGpuPage({ reason }: { reason: string }) {
  return (
    <main className="nowebgpu" id="main" data-testid="no-webgpu">
      <h2>This browser cannot run the studio</h2>
      <p className="lead">
        EO-MAE Studio trains neural networks on your GPU through <strong>WebGPU</strong>, and this browser did not provide a
        WebGPU adapter.
      </p>
      <p className="muted">Details: {reason}</p>
      <h3>What works</h3>
      <ul>
        <li>
          <strong>Chrome or Edge 113+</strong> on Windows, macOS and ChromeOS: WebGPU is on by default. Check that hardware
          acceleration is enabled (Settings → System).
        </li>
        <li>
          <strong>Chrome on Linux</strong>: start it with <code>--enable-unsafe-webgpu --enable-features=Vulkan</code>, and
          make sure a Vulkan driver is installed (<code>vulkaninfo</code> lists it).
        </li>
        <li>
          <strong>Chrome on Android 121+</strong> with a recent Qualcomm or ARM GPU.
        </li>
        <li>
          <strong>Safari 26+</strong> (macOS, iOS, iPadOS) and <strong>Firefox 141+</strong> on Windows have WebGPU; other
          Firefox builds need <code>dom.webgpu.enabled</code> in <code>about:config</code>.
        </li>
      </ul>
      <p>
        Check your browser at <code>chrome://gpu</code> (look for “WebGPU: Hardware accelerated”).
      </p>
    </main>
  );
}
