// The script of plain pages: shared enhancements only.
import { enhancePage } from "./common.js";

enhancePage();
