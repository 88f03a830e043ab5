export { imageGrid } from './image-grid';
export type { ImageGridOptions } from './image-grid';
