import { defineConfig, loadEnv } from 'vite';
import { VARIANTS } from './variants.js';

/** Escape a value for an HTML attribute or text node. */
const escapeHtml = (value) =>
  String(value).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

/**
 * The build's values, checked before anything is built: an unknown variant or a missing API URL is a
 * configuration mistake that must fail the build, not ship a page that works nowhere.
 */
function buildValues(env) {
  const variant = env.VITE_VARIANT ?? '';
  if (!Object.hasOwn(VARIANTS, variant)) {
    const known = Object.keys(VARIANTS).filter(Boolean).join(', ');
    throw new Error(
      `VITE_VARIANT=${JSON.stringify(variant)} is not a variant of this app; use one of ${known} ` +
        '(or leave it unset for the admin dashboard)',
    );
  }
  const apiUrl = env.VITE_API_URL ?? '';
  if (!/^https?:\/\/[^\s/]+/.test(apiUrl)) {
    throw new Error(`VITE_API_URL=${JSON.stringify(apiUrl)} must be the backend's http(s) URL, e.g. http://localhost:8000`);
  }
  const environment = env.VITE_ENVIRONMENT ?? '';
  if (!environment) {
    throw new Error('VITE_ENVIRONMENT is not set; set it to the stack\'s environment, e.g. VITE_ENVIRONMENT=dev');
  }
  return { variant, apiUrl: apiUrl.replace(/\/+$/, ''), environment, ...VARIANTS[variant] };
}

/** Writes the build's values into index.html itself, so a plain HTTP fetch of the page shows them. */
function stagecraftValues(values) {
  const replacements = {
    __STAGECRAFT_TITLE__: values.title,
    __STAGECRAFT_API_URL__: values.apiUrl,
    __STAGECRAFT_ENVIRONMENT__: values.environment,
    __STAGECRAFT_VARIANT__: values.variant || 'none',
    __STAGECRAFT_APP__: values.app,
    __STAGECRAFT_LAYOUT__: values.layout,
    __STAGECRAFT_ACCENT__: values.accent,
  };
  return {
    name: 'stagecraft-values',
    transformIndexHtml: {
      order: 'pre',
      handler(html) {
        const filled = html.replace(/__STAGECRAFT_[A-Z_]+__/g, (key) => {
          if (!Object.hasOwn(replacements, key)) throw new Error(`index.html uses unknown placeholder ${key}`);
          return escapeHtml(replacements[key]);
        });
        const tags = [
          ['stagecraft:api-url', values.apiUrl],
          ['stagecraft:environment', values.environment],
          ['stagecraft:variant', values.variant],
          ['stagecraft:app', values.app],
        ].map(([name, content]) => ({ tag: 'meta', attrs: { name, content }, injectTo: 'head' }));
        return { html: filled, tags };
      },
    },
  };
}

export default defineConfig(({ mode }) => {
  const values = buildValues(loadEnv(mode, process.cwd(), 'VITE_'));
  return {
    plugins: [stagecraftValues(values)],
    // Keep Vite's cache in the app folder: node_modules may be a shared, read-only tree.
    cacheDir: '.vite-cache',
    build: { outDir: 'dist', emptyOutDir: true, reportCompressedSize: false },
  };
});
