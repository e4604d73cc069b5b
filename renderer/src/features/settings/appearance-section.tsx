import { THEMES, type Theme } from '@shared/domain/preferences.catalog';
import { useApp, useAppearance } from '../../app-context';
import { SelectInput } from '../../components/select-input';

const LABELS: Record<Theme, string> = { system: 'Same as the system', light: 'Light', dark: 'Dark' };

/** Settings → Appearance: the theme, kept for this computer (the desktop's preferences file, or this browser). */
export function AppearanceSection() {
  const { appearance } = useApp();
  const theme = useAppearance((s) => s.theme);
  return (
    <div className="card" data-testid="appearance-section">
      <h2>Appearance</h2>
      <label className="inline">
        Theme{' '}
        <SelectInput testId="theme-select" options={THEMES.map((t) => ({ value: t, label: LABELS[t] }))} value={theme} onChange={(t) => void appearance.getState().setTheme(t)} />
      </label>
    </div>
  );
}
