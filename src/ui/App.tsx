/**
 * The studio shell: header with the capability badge, a loud banner on software adapters, section navigation and
 * the active section. When the browser has no WebGPU at all, a help page replaces the studio.
 */
import { useEffect } from 'react';
import { connectGpu, installTestHook, useStudioStore } from '../store';
import { CapabilityBadge } from './components/CapabilityBadge';
import { NavBar } from './components/NavBar';
import { SoftwareAdapterBanner } from './components/SoftwareAdapterBanner';
import { NoWebGpuPage } from './sections/NoWebGpuPage';
import { SectionView } from './sections/SectionView';

installTestHook(useStudioStore);

export function App() {
  const gpu = useStudioStore((s) => s.gpu);
  useEffect(() => {
    void connectGpu();
  }, []);

  return (
    <div className="app">
      <header className="app-header">
        <div className="brand">
          <img src="/favicon.svg" alt="" width={28} height={28} />
          <div>
            <h1>EO-MAE Studio</h1>
            <p className="tagline">Masked-autoencoder pre-training for Earth observation, in your browser</p>
          </div>
        </div>
        <CapabilityBadge />
      </header>
      <SoftwareAdapterBanner />
      {gpu.state === 'unavailable' ? (
        <NoWebGpuPage reason={gpu.reason} />
      ) : (
        <div className="app-body">
          <NavBar />
          <main className="section" id="main">
            <SectionView />
          </main>
        </div>
      )}
    </div>
  );
}
