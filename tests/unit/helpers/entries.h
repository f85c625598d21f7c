#ifndef NATSCOPE_TEST_ENTRIES_H
#define NATSCOPE_TEST_ENTRIES_H

#include "ctmsg.h"

/*
 * Seven entries of a masquerading router, shared by the parser, flow and aggregation
 * tests: TCP without NAT; TCP masqueraded in TIME_WAIT; three UDP masqueraded to one
 * destination from two sources (one with a post-NAT port below 1024); a DNAT'd published
 * port; a hairpin (SNAT and DNAT).  All carry id 77.
 */
#define TEST_NENTRIES 7
extern const struct ctmsg test_entries[TEST_NENTRIES];

#endif
