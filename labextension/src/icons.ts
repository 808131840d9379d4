import { LabIcon } from '@jupyterlab/ui-components';
import forgatherSvg from '../style/forgather.svg';

/** The Forgather mark: an F beside a rising bar chart (training going up). */
export const forgatherIcon = new LabIcon({ name: 'forgather:logo', svgstr: forgatherSvg });
