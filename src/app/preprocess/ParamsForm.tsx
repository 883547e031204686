/**
 * Editable preprocessing parameters (scGNN reference defaults), each with a one-line explanation.
 */
import { useState } from 'react';
import { preprocessDefaults } from '../../core/preprocess/preprocess.ts';
import { updateParams } from '../load/load-actions.ts';
import { paramHelp, parsePercent, parsePositiveInt, percentText } from './params-input.ts';
import { useAppStore } from '../store.ts';
import { NumberField } from '../shared/NumberField.tsx';

export function ParamsForm() {
  const params = useAppStore((s) => s.params);
  const [cellText, setCellText] = useState(percentText(params.minCellFraction));
  const [geneText, setGeneText] = useState(percentText(params.minGeneFraction));
  const [topText, setTopText] = useState(String(params.nTopGenes));

  const reset = () => {
    setCellText(percentText(preprocessDefaults.minCellFraction));
    setGeneText(percentText(preprocessDefaults.minGeneFraction));
    setTopText(String(preprocessDefaults.nTopGenes));
    updateParams(preprocessDefaults);
  };

  return (
    <form className="params" onSubmit={(e) => e.preventDefault()} aria-label="Preprocessing parameters">
      <NumberField
        inputMode="decimal"
        id="param-min-cells"
        label="Min. cells per gene (% of cells)"
        help={paramHelp.minCellFraction}
        value={cellText}
        invalid={parsePercent(cellText) === null}
        step="0.1"
        min="0"
        max="100"
        onChange={(t) => {
          setCellText(t);
          const v = parsePercent(t);
          if (v !== null) updateParams({ minCellFraction: v });
        }}
      />
      <NumberField
        inputMode="decimal"
        id="param-min-genes"
        label="Min. genes per cell (% of kept genes)"
        help={paramHelp.minGeneFraction}
        value={geneText}
        invalid={parsePercent(geneText) === null}
        step="0.1"
        min="0"
        max="100"
        onChange={(t) => {
          setGeneText(t);
          const v = parsePercent(t);
          if (v !== null) updateParams({ minGeneFraction: v });
        }}
      />
      <NumberField
        inputMode="decimal"
        id="param-top-genes"
        label="Number of top variable genes"
        help={paramHelp.nTopGenes}
        value={topText}
        invalid={parsePositiveInt(topText) === null}
        step="1"
        min="1"
        onChange={(t) => {
          setTopText(t);
          const v = parsePositiveInt(t);
          if (v !== null) updateParams({ nTopGenes: v });
        }}
      />
      <div className="param param-check">
        <label>
          <input
            type="checkbox"
            checked={params.log1p}
            aria-describedby="param-log1p-help"
            onChange={(e) => updateParams({ log1p: e.currentTarget.checked })}
          />{' '}
          log1p transform
        </label>
        <p id="param-log1p-help" className="param-help">
          {paramHelp.log1p}
        </p>
      </div>
      <button type="button" className="secondary" onClick={reset}>
        Reset to scGNN defaults
      </button>
    </form>
  );
}
