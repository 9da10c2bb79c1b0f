package tenants

import "time"

var timeNow = time.Now
