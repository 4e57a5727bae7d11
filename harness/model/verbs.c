/* verbs: each verb's name and place, from model/verbs.def. */
#include "model/verbs.h"

#include <stddef.h>

static const struct {
	const char *name;
	enum bc_place place;
} verbs[] = {
#define BC_VERB(id, name, place, min, max, args, opts, exec) [id] = {name, place},
#include "model/verbs.def"
#undef BC_VERB
};

const char *bc_verb_name(enum bc_verb verb)
{
	return (size_t)verb < BC_VERB_COUNT ? verbs[verb].name : "?";
}

enum bc_place bc_verb_place(enum bc_verb verb)
{
	return (size_t)verb < BC_VERB_COUNT ? verbs[verb].place : BC_PLACE_SANDBOX;
}
