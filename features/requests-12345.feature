@requests
Feature: The 12345 loop: a citizen's request routed, answered, called back and reopened
  Every request gets an answer (件件有回音、事事有着落): the 12345 platform dispatches it to the
  department the category's rule names, a misrouted request comes back (退单) and is dispatched
  again, late answers turn red, a dissatisfied or unresolved callback reopens the request (重办)
  by itself as often as the policy allows and closes it with that word after (a supervisor may
  still order it redone), and the requester sees every node. 诉求解决率 and 群众满意率 follow the
  latest callback of each request.

  Background:
    Given the catalogue in "workflows"
    And today is 2026-11-02
    And an applicant "Zhang San"

  Scenario: Request: a complaint about a case, returned, re-dispatched, answered late, reopened and resolved
    When the applicant opens a case of "start-a-business" online
    And the applicant submits a complete application
    And the clerk accepts the case
    And the hotline takes in a "complaint" of "government-service" about "330102-SCJG-QYSLDJ" of the case
    And the hotline dispatches the request
    Then the request is "dispatched"
    And the request is with "sc-amr"
    When the department returns the request because "the complaint is about the first invoices"
    Then the request is "returned"
    And the request was returned 1 time
    When the hotline re-dispatches the request to "sc-tax"
    Then the request is with "sc-tax"
    And the request's colour is "green"
    When the department acknowledges the request
    And 5 working days pass
    Then the request's colour is "yellow"
    When 1 working day passes
    Then the request's colour is "red"
    When the supervisor escalates the request: "the answer is overdue"
    And the department answers "the first invoices were issued" with the note "issued on 10 November"
    Then the answer was "late"
    And the 12345 figure "on-time answer" of "sc-tax" is "0%"
    When the hotline calls the requester back: "not resolved", "dissatisfied"
    Then the request is "dispatched"
    And the request is with "sc-tax"
    And the request was reopened 1 time
    And the request's colour is "green"
    And the 12345 figure "resolution rate" is "0%"
    And the 12345 figure "satisfaction rate" is "0%"
    And the 12345 figure "reopen rate" is "100%"
    When 3 working hours pass
    And the department answers "corrected invoices issued"
    Then the answer was "on time"
    When the hotline calls the requester back: "resolved", "satisfied"
    Then the request is "closed"
    And the requester's progress shows "received, dispatched, returned, dispatched, acknowledged, answered, called back, reopened, acknowledged, answered, called back, closed"
    And the 12345 figure "resolution rate" is "100%"
    And the 12345 figure "satisfaction rate" is "100%"
    And the 12345 figure "return rate" of "sc-amr" is "100%"
    And the 12345 figure "return rate" of "sc-tax" is "0%"
    And the 12345 figure "reopen rate" is "50%"
    And the 12345 figure "on-time answer" is "50%"

  Scenario: Request: a consultation answered on time
    When the hotline takes in a "consultation" of "Business registration"
    And the hotline dispatches the request
    Then the request is with "hz-amr"
    And the request's colour is "green"
    When 2 working hours pass
    And the department answers "the form is on the Zhejiang government service website" with the note "answered by phone"
    Then the answer was "on time"
    And the request is "answered"
    When the hotline calls the requester back: "resolved", "basically satisfied"
    Then the request is "closed"
    And the requester's progress shows "received, dispatched, acknowledged, answered, called back, closed"
    And the 12345 figure "satisfaction rate" is "100%"
    And the 12345 figure "on-time acknowledgement" is "100%"
    And the 12345 figure "on-time answer" is "100%"

  Scenario: Request: past the policy's reopens the callback closes the request; a supervisor orders it redone
    When the hotline takes in a "help" of "noise-nuisance" from the area "Xihu District" as "urgent"
    And the hotline dispatches the request
    Then the request is with "xh-cgj"
    When 1 working hour passes
    Then the request's colour is "yellow"
    When the department answers "the site was told to stop work at night"
    And the hotline calls the requester back: "not resolved", "dissatisfied"
    Then the request is "dispatched"
    And the request was reopened 1 time
    When the department answers "the site was fined"
    And the hotline calls the requester back: "resolved", "dissatisfied"
    Then the request is "closed"
    And the request was reopened 1 time
    And the 12345 figure "reopen rate" is "50%"
    And the 12345 figure "resolution rate" is "100%"
    And the 12345 figure "satisfaction rate" is "0%"
    When the supervisor orders the request reopened because "still too loud at night"
    Then the request is "dispatched"
    And the request is with "xh-cgj"
    And the request was reopened 2 times
    When the department answers "the night work permit was withdrawn"
    And the hotline calls the requester back: "resolved", "satisfied"
    Then the request is "closed"
    And the requester's progress shows "received, dispatched, acknowledged, answered, called back, reopened, acknowledged, answered, called back, closed, reopened, acknowledged, answered, called back, closed"
    And the 12345 figure "satisfaction rate" is "100%"
    When the supervisor orders the request reopened because "once more"
    Then the action is refused with "RequestReopenLimit"
    And the request was reopened 2 times
