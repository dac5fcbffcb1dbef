import base from './playwright.config';
export default { ...base, outputDir: '/tmp/dm-e2e-artifacts', use: { ...base.use, baseURL: 'http://127.0.0.1:4178' }, webServer: { ...base.webServer, command: 'npx vite preview --outDir /tmp/dm-dist --host 127.0.0.1 --port 4178 --strictPort', url: 'http://127.0.0.1:4178' }, reporter: [['list']] };
