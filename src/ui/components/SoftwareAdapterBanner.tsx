/** A loud, plain-language notice when the adapter is a CPU emulation (SwiftShader, llvmpipe, WARP). */
import { selectIsSoftwareAdapter, useStudioStore } from '../../store';

export function SoftwareAdapterBanner() {
  const software = useStudioStore(selectIsSoftwareAdapter);
  if (!software) return null;
  return (
    <div className="banner banner-warn" role="alert" data-testid="software-adapter-warning">
      <strong>Running on a software GPU.</strong> Your browser is emulating the GPU on the CPU, which is 100–1000× slower
      than real graphics hardware. The studio works, but keep to the <em>tiny</em> preset and a few steps. To use your
      GPU, enable hardware acceleration in the browser settings, update the graphics driver, or on Linux start Chrome
      with <code>--enable-unsafe-webgpu --enable-features=Vulkan</code>.
    </div>
  );
}
