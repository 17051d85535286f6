/**
 * The variants the inventory builds (DESIGN.md §1), each a template or theme of this one app.
 * `""` is the admin dashboard, which has no variant (VITE_VARIANT unset or empty).
 */
export const VARIANTS = {
  '': { app: 'ai-admin-dashboard', title: 'Admin dashboard', layout: 'dashboard', accent: '#334155' },
  'pot-palace': { app: 'weedgo-commerce', title: 'Pot Palace', layout: 'storefront', accent: '#15803d' },
  modern: { app: 'weedgo-commerce', title: 'Modern store', layout: 'storefront', accent: '#0f172a' },
  headless: { app: 'weedgo-commerce', title: 'Headless commerce', layout: 'minimal', accent: '#6b21a8' },
  'theme-1': { app: 'chat-commerce-web', title: 'Chat commerce: Meadow', layout: 'chat', accent: '#16a34a' },
  'theme-2': { app: 'chat-commerce-web', title: 'Chat commerce: Ocean', layout: 'chat', accent: '#0369a1' },
  'theme-3': { app: 'chat-commerce-web', title: 'Chat commerce: Sunset', layout: 'chat', accent: '#c2410c' },
  'theme-4': { app: 'chat-commerce-web', title: 'Chat commerce: Berry', layout: 'chat', accent: '#be185d' },
  'theme-5': { app: 'chat-commerce-web', title: 'Chat commerce: Slate', layout: 'chat', accent: '#475569' },
  'theme-6': { app: 'chat-commerce-web', title: 'Chat commerce: Gold', layout: 'chat', accent: '#a16207' },
  'theme-7': { app: 'chat-commerce-web', title: 'Chat commerce: Night', layout: 'chat', accent: '#1e1b4b' },
  'theme-8': { app: 'chat-commerce-web', title: 'Chat commerce: Mint', layout: 'chat', accent: '#0d9488' },
};
