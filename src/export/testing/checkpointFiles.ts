/**
 * Writes checkpoints in the training engine's layout (state.json with `config`, model.safetensors with one F32 tensor
 * per parameter named by our parameter names, layout shapes) for the checkpoint and CLI tests. Test-only.
 */
import { f32Tensor, type SafeTensor, writeSafetensors } from '../../lib/safetensors';
import type { MaeConfig } from '../../model/config';
import { buildParamLayout } from '../../model/params';

export interface CheckpointFiles {
  stateJson: string;
  safetensors: Uint8Array;
}

/** The two files' contents; `edit` may drop or replace tensors before writing (for the error tests). */
export function checkpointFiles(
  config: MaeConfig,
  params: Float32Array,
  state: Record<string, unknown> = {},
  edit: (tensors: Record<string, SafeTensor>) => void = () => {},
): CheckpointFiles {
  const tensors: Record<string, SafeTensor> = {};
  for (const e of buildParamLayout(config).entries) tensors[e.name] = f32Tensor(e.shape, params.slice(e.offset, e.offset + e.size));
  edit(tensors);
  return { stateJson: JSON.stringify({ ...state, config }), safetensors: writeSafetensors(tensors, { format: 'eo-mae' }) };
}
