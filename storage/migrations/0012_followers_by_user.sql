-- /myreports lists the reports a citizen follows as well as their own: find a user's follows
-- without reading the whole followers table (its primary key starts with the report).
CREATE INDEX followers_by_user ON followers(user_id, report_id);
