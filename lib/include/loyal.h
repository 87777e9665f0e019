#ifndef LOYAL_H
#define LOYAL_H

/* libloyal: customer-loyalty metrics from CSV files. See libloyal(3). */

#include "loyal/common.h"
#include "loyal/version.h"
#include "loyal/errors.h"
#include "loyal/reader.h"
#include "loyal/roles.h"
#include "loyal/keyset.h"
#include "loyal/grouping.h"
#include "loyal/date.h"
#include "loyal/number.h"
#include "loyal/nps.h"
#include "loyal/csat.h"
#include "loyal/txn.h"
#include "loyal/txn_input.h"
#include "loyal/survey_input.h"
#include "loyal/complaints_input.h"
#include "loyal/bgnbd.h"
#include "loyal/mbgnbd.h"
#include "loyal/pnbd.h"
#include "loyal/gammagamma.h"
#include "loyal/holdout.h"
#include "loyal/txn_window.h"
#include "loyal/segment.h"
#include "loyal/tiers.h"
#include "loyal/clv.h"
#include "loyal/idmatch.h"
#include "loyal/ztest.h"
#include "loyal/loyalty.h"
#include "loyal/complaints.h"
#include "loyal/partial.h"

#endif
