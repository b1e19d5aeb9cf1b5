import { defineConfig } from "vite";

// Set by `tauri android dev` / `tauri ios dev` so a phone can reach the dev server.
const host = process.env.TAURI_DEV_HOST;

// https://v2.tauri.app/start/frontend/vite/
export default defineConfig({
  clearScreen: false,
  server: {
    port: 1420,
    strictPort: true,
    host: host || false,
    hmr: host ? { protocol: "ws", host, port: 1421 } : undefined,
    watch: { ignored: ["**/src-tauri/**", "**/plugin/**"] },
  },
  envPrefix: ["VITE_", "TAURI_ENV_*"],
  build: {
    // WebKitGTK 2.4x (Linux), WKWebView (macOS/iOS 15+), WebView2 (Windows), Android System WebView.
    target: "safari15",
    outDir: "dist",
    emptyOutDir: true,
    minify: process.env.TAURI_ENV_DEBUG ? false : "esbuild",
    sourcemap: !!process.env.TAURI_ENV_DEBUG,
  },
});
