import { mount } from 'svelte';
import App from './App.svelte';
import './app.css';
import { theme } from './state/theme.svelte';

theme.apply(); // before the first paint: no flash of the other theme

export default mount(App, { target: document.getElementById('app')! });
