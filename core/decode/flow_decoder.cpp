#include "flow_decoder.h"
