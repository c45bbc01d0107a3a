package status

import "github.com/chot-dev/chot/checkpoint"

// RuleTexts returns a policy rule's own description by language code (en,
// vi, …), or nil when the rule has none (chot's own rules are named by the
// reason and the rule name alone).
type RuleTexts func(rule string) map[string]string

// ruleText is the description of rule in lang, else in English, else "".
func (s *Server) ruleText(rule, lang string) string {
	if rule == "" || s.d.RuleTexts == nil {
		return ""
	}
	texts := s.d.RuleTexts(rule)
	if t := texts[lang]; t != "" {
		return t
	}
	return texts["en"]
}

// addRuleTexts fills the feed's rule descriptions, in lang.
func (s *Server) addRuleTexts(feed []feedItem, evs []checkpoint.Event, lang string) {
	for i := range feed {
		if i < len(evs) {
			feed[i].RuleText = s.ruleText(evs[i].Rule, lang)
		}
	}
}

// streamEvent is an event as /events sends it: with the refusing rule's
// descriptions in every language, for the page's script to pick its own.
type streamEvent struct {
	checkpoint.Event
	RuleTexts map[string]string `json:"rule_texts,omitempty"`
}

func (s *Server) wireEvent(ev checkpoint.Event) streamEvent {
	out := streamEvent{Event: ev}
	if ev.Rule != "" && s.d.RuleTexts != nil {
		out.RuleTexts = s.d.RuleTexts(ev.Rule)
	}
	return out
}
