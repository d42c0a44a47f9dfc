import { createRouter, createWebHashHistory, type RouteRecordRaw } from 'vue-router';
import StateView from './views/StateView.vue';

/**
 * Hash history: the backend serves `index.html` at `/` only, and a `#/district/TN-CHN` link still
 * opens the right view after a reload. The state view is the landing page and loads with the app;
 * the others load on first visit.
 */
const routes: RouteRecordRaw[] = [
  { path: '/', name: 'state', component: StateView, meta: { title: 'State' } },
  {
    path: '/alerts',
    name: 'alerts',
    component: () => import('./views/AlertDesk.vue'),
    meta: { title: 'Alerts' },
  },
  {
    path: '/district/:code',
    name: 'district',
    component: () => import('./views/DistrictView.vue'),
    meta: { title: 'District' },
  },
  {
    path: '/analysis',
    name: 'analysis',
    component: () => import('./views/AnalysisView.vue'),
    meta: { title: 'Analysis' },
  },
  {
    path: '/history',
    name: 'history',
    component: () => import('./views/HistoryView.vue'),
    meta: { title: 'Time travel' },
  },
  {
    path: '/yearly',
    name: 'yearly',
    component: () => import('./views/YearlyView.vue'),
    meta: { title: 'District history' },
  },
  { path: '/:unknown(.*)*', redirect: { name: 'state' } },
];

export const router = createRouter({ history: createWebHashHistory(), routes });
