import { installTemporalRuntime } from '../../src/temporal-runtime.js';

installTemporalRuntime();
